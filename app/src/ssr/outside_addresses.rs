//! Addresses of other systems the server calls on an admin's say-so (organisations' identity providers, VLEs):
//! their keys and tokens travel over them, so they must be https, or plain http on this machine only (a
//! provider or platform under test), with no credentials or fragment in them.

/// Whether `address` may be registered as another system's endpoint.
pub fn acceptable(address: &str) -> bool {
    let Ok(url) = url::Url::parse(address) else {
        return false;
    };
    let loopback = matches!(
        url.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    (url.scheme() == "https" || (url.scheme() == "http" && loopback))
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_a_system_on_this_machine() {
        for (address, ok) in [
            ("https://login.example.nhs.uk/v2.0", true),
            ("http://login.example.nhs.uk", false),
            ("http://127.0.0.1:4000", true),
            ("http://localhost:4000", true),
            ("https://user:pw@login.example.nhs.uk", false),
            ("https://login.example.nhs.uk/#x", false),
            ("not a url", false),
        ] {
            assert_eq!(acceptable(address), ok, "{address}");
        }
    }
}
