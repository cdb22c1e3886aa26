internal import CCurl

/// libcurl's process-wide setup.
enum CurlGlobal {
    /// `curl_global_init` must run once before any handle exists and is not safe to race. A
    /// static `let` is initialised exactly once, on first use, under Swift's own once-guard.
    static let initialization: CURLcode = ccurl_global_init_all()
}
