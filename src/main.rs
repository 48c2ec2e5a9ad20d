//! Mounts the app; everything else lives in the library so tests can import it.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        console_error_panic_hook::set_once();
        broadsheet::ui::start();
    }
}
