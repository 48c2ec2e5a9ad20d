//! The parser's work grows linearly with its input, on the shapes most likely to break that.
//!
//! We assert on work counted by the parser itself (lines visited, bytes examined, slug lookups),
//! never on seconds, so the test is exact on any machine.

use broadsheet::article::{parse_with_stats, ParseStats};

/// Most work the parser may do per input byte (plus a small constant).
const STEPS_PER_BYTE: usize = 4;

fn stats(input: &str) -> ParseStats {
    let (result, stats) = parse_with_stats(input.as_bytes());
    assert!(result.is_ok() || input.contains("ERR"), "{result:?}");
    stats
}

fn assert_linear(name: &str, build: impl Fn(usize) -> String) {
    for n in [1_000, 10_000] {
        let input = build(n);
        let steps = stats(&input).steps();
        assert!(
            steps <= STEPS_PER_BYTE * input.len() + 1_000,
            "{name} (n = {n}): {steps} steps for {} bytes",
            input.len()
        );
    }
    // And the work per byte does not grow with the input.
    let per_byte = |n| {
        let input = build(n);
        stats(&input).steps() as f64 / input.len() as f64
    };
    let (small, large) = (per_byte(5_000), per_byte(20_000));
    assert!(
        large <= small * 1.05 + 0.01,
        "{name}: {small:.3} then {large:.3} steps per byte"
    );
}

#[test]
fn five_megabyte_one_line_article() {
    let sentence = "Talks made “three steps forward” on energy, flights and trade—officials said. ";
    let line = sentence.repeat(5_000_000 / sentence.len() + 1);
    assert!(line.len() >= 5_000_000);
    let steps = stats(&line).steps();
    assert!(
        steps <= STEPS_PER_BYTE * line.len(),
        "{steps} steps for {} bytes",
        line.len()
    );
}

#[test]
fn ten_thousand_related_entries() {
    let mut text = String::from("Lede.\nRead next\n");
    for i in 0..10_000 {
        text += &format!(
            "{:02}:{:02}\nTopic {i}\nA summary of story {i}. More words.\n\n",
            i % 24,
            i % 60
        );
    }
    let (result, stats) = parse_with_stats(text.as_bytes());
    assert_eq!(result.unwrap().related.len(), 10_000);
    assert!(
        stats.steps() <= STEPS_PER_BYTE * text.len(),
        "{stats:?} for {} bytes",
        text.len()
    );
}

#[test]
fn shapes_that_could_go_quadratic() {
    // The same summary over and over: each slug must not rescan the taken suffixes.
    assert_linear("repeated summaries", |n| {
        "Lede\nRead next\n".to_owned() + &"1:00\nT\nSame story.\n".repeat(n)
    });
    // Summaries that collide with the suffixes of earlier ones.
    assert_linear("colliding suffixes", |n| {
        let mut s = "Lede\nRead next\n".to_owned();
        for i in 0..n {
            s += &format!("1:00\nT\nSame story {}\n1:00\nT\nSame story\n", i + 2);
        }
        s
    });
    assert_linear("one long header title", |n| {
        format!("---\ntitle: {}\n---\nLede", "Word ".repeat(n))
    });
    assert_linear("a title of punctuation", |n| format!("{}\n", "!".repeat(n)));
    assert_linear("a lede without a sentence end", |n| "word ".repeat(n));
    assert_linear("whitespace lines", |n| {
        format!("Lede{}", "\n \t ".repeat(n))
    });
    assert_linear("many paragraphs", |n| "A short paragraph.\n".repeat(n));
    assert_linear("unclosed header", |n| {
        format!("---\n{}ERR", "title: x\n".repeat(n))
    });
    assert_linear("long header", |n| {
        format!("---\ntitle: T\n{}---\nLede", "\n".repeat(n))
    });
    assert_linear("many footers", |n| {
        format!("Lede\n{}", "12 comments\n".repeat(n))
    });
}
