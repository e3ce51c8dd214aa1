//! A session's device as people name it ("Chrome 131 on Linux"), read from
//! its User-Agent: the raw string is hundreds of characters of history.

/// The browser (or client) and the system in `agent`, or the agent itself,
/// cut short, when neither is recognised.
pub fn describe(agent: &str) -> String {
    let browser = browser(agent);
    let system = system(agent);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => shortened(agent),
    }
}

/// Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
fn browser(agent: &str) -> Option<String> {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("CriOS/", "Chrome"),
        ("Version/", "Safari"),
        ("curl/", "curl"),
        ("python-requests/", "Python requests"),
    ];
    BROWSERS.iter().find_map(|(marker, name)| {
        let at = agent.find(marker)? + marker.len();
        let major: String = agent[at..].chars().take_while(char::is_ascii_digit).collect();
        Some(if major.is_empty() { (*name).to_owned() } else { format!("{name} {major}") })
    })
}

fn system(agent: &str) -> Option<&'static str> {
    const SYSTEMS: &[(&str, &str)] = &[
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    SYSTEMS.iter().find(|(marker, _)| agent.contains(marker)).map(|(_, name)| *name)
}

fn shortened(agent: &str) -> String {
    match agent.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &agent[..cut]),
        None => agent.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn names_common_browsers_and_systems() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe(chrome), "Chrome 131 on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
        assert_eq!(describe(edge), "Edge 120 on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(safari), "Safari 17 on iPhone");
        let firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(describe(firefox), "Firefox 121 on macOS");
        assert_eq!(describe("curl/8.5.0"), "curl 8");
        assert_eq!(describe("x".repeat(300).as_str()).chars().count(), 41);
    }
}
