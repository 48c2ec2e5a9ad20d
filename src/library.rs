//! The site's articles as the app sees them: fetched from the site's data files
//! (`crate::site_data`) and cached, or, on the host (pages rendered ahead of time, tests), held
//! in memory. Provided once as context by the app's root; pages ask it for what they show.

use crate::{corpus::Corpus, site_data::SiteData};
use std::{fmt, sync::Arc};

/// Why something could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The site has no such file (a 404): an unknown article, or data from another build.
    NotFound { path: String },
    /// The network failed or the server answered with an error: offline, most often.
    Network { path: String, message: String },
    /// The file arrived but does not read: `path` and what is wrong with it.
    Malformed { path: String, message: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound { path } => write!(f, "{path}: not found"),
            LoadError::Network { path, message } => write!(f, "{path}: {message}"),
            LoadError::Malformed { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

/// Where the data comes from.
enum Source {
    /// Everything in memory: the build's corpus and the data derived from it.
    Memory {
        corpus: Arc<Corpus>,
        data: Arc<SiteData>,
    },
    /// Fetched from the site under `base` (`""` or `"/reader"`).
    Remote { base: String },
}

/// The site's data, cheap to clone: one is shared through context.
#[derive(Clone)]
pub struct Library {
    source: Arc<Source>,
}

impl Library {
    /// A library over data held in memory (the build, prerendering, host tests).
    pub fn memory(corpus: Arc<Corpus>, data: Arc<SiteData>) -> Self {
        Library {
            source: Arc::new(Source::Memory { corpus, data }),
        }
    }

    /// A library fetching the data files of the site served under `base` (`""` or `"/reader"`).
    pub fn remote(base: &str) -> Self {
        Library {
            source: Arc::new(Source::Remote {
                base: base.trim_end_matches('/').to_owned(),
            }),
        }
    }

    /// The corpus and its data when they are held in memory.
    pub fn in_memory(&self) -> Option<(&Arc<Corpus>, &Arc<SiteData>)> {
        match &*self.source {
            Source::Memory { corpus, data } => Some((corpus, data)),
            Source::Remote { .. } => None,
        }
    }

    /// The text of the data file at `path` (relative to the base path, e.g. `data/site.json`).
    /// In memory there are no files to fetch: callers read the memory directly.
    pub async fn fetch_text(&self, path: &str) -> Result<String, LoadError> {
        match &*self.source {
            Source::Memory { .. } => Err(LoadError::NotFound {
                path: path.to_owned(),
            }),
            Source::Remote { base } => fetch_text(&format!("{base}/{path}"), path).await,
        }
    }
}

/// The JSON data file at `path`, decoded.
pub async fn fetch_json<T: serde::de::DeserializeOwned>(
    library: &Library,
    path: &str,
) -> Result<T, LoadError> {
    let text = library.fetch_text(path).await?;
    serde_json::from_str(&text).map_err(|e| LoadError::Malformed {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(target_arch = "wasm32")]
async fn fetch_text(url: &str, path: &str) -> Result<String, LoadError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let network = |e: wasm_bindgen::JsValue| LoadError::Network {
        path: path.to_owned(),
        message: e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the request failed".to_owned()),
    };
    let window = web_sys::window().ok_or_else(|| network(wasm_bindgen::JsValue::NULL))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(network)?
        .unchecked_into();
    if response.status() == 404 {
        return Err(LoadError::NotFound {
            path: path.to_owned(),
        });
    }
    if !response.ok() {
        return Err(LoadError::Network {
            path: path.to_owned(),
            message: format!("the server answered {}", response.status()),
        });
    }
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?;
    Ok(text.as_string().unwrap_or_default())
}

#[cfg(not(target_arch = "wasm32"))]
async fn fetch_text(_url: &str, path: &str) -> Result<String, LoadError> {
    Err(LoadError::Network {
        path: path.to_owned(),
        message: "the host has no network client; use Library::memory".to_owned(),
    })
}
