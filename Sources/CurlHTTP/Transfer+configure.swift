internal import CCurl
import Foundation

extension Transfer {
    /// Applies the request to a fresh or reset easy handle.
    ///
    /// Everything a transfer needs is set here on every use, because pooled handles come back
    /// from `curl_easy_reset` with curl's defaults.
    func configure(_ handle: UnsafeMutableRawPointer, with configuration: CurlClient.Configuration) throws(CurlHTTPError) {
        guard !request.url.utf8.contains(0) else {
            // A NUL would silently cut the URL short when it becomes a C string.
            throw .invalidURL(request.url, reason: "contains a NUL character")
        }
        guard request.method.isValidToken else {
            throw .invalidRequest("method \"\(request.method)\" is not an HTTP token")
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        errorBuffer[0] = 0

        try check(ccurl_setopt_string(handle, CURLOPT_URL, request.url), "URL")
        // Only web protocols, also after redirects: a URL from data must not reach file:// or smtp://.
        try check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        try check(ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "REDIR_PROTOCOLS_STR")
        // Signals are process-wide; curl must not use SIGALRM for timeouts on our loop thread.
        try check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")

        try check(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0), "SSL_VERIFYPEER")
        try check(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0), "SSL_VERIFYHOST")

        try check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds), "CONNECTTIMEOUT_MS")
        if let timeout = request.timeout {
            try check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds), "TIMEOUT_MS")
        }
        if let idle = request.idleTimeout {
            // "Slower than 1 byte/s for N seconds" is curl's way of saying "silent for N seconds".
            try check(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1), "LOW_SPEED_LIMIT")
            try check(ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, idle.curlSeconds), "LOW_SPEED_TIME")
        }
        if let userAgent = configuration.userAgent {
            try check(ccurl_setopt_string(handle, CURLOPT_USERAGENT, userAgent), "USERAGENT")
        }
        if !configuration.usesEnvironmentProxy {
            // An empty proxy string turns off curl's reading of http_proxy and friends.
            try check(ccurl_setopt_string(handle, CURLOPT_PROXY, ""), "PROXY")
        }

        try configureMethodAndBody(handle)
        try configureHeaders(handle)

        try check(ccurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { TransferCallbacks.write($0, $1, $2, $3) }, "WRITEFUNCTION")
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try check(ccurl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { TransferCallbacks.header($0, $1, $2, $3) }, "HEADERFUNCTION")
        try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
    }

    private func configureMethodAndBody(_ handle: UnsafeMutableRawPointer) throws(CurlHTTPError) {
        let method = request.method
        if request.body == nil, method == .get {
            try check(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
            return
        }
        if request.body == nil, method == .head {
            // NOBODY makes curl send HEAD and not wait for a body that will never come.
            try check(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1), "NOBODY")
            return
        }
        if request.body != nil || method == .post {
            // COPYPOSTFIELDS copies the bytes, so the transfer does not have to keep `Data` pinned.
            // The size goes first, or curl would stop at the first zero byte.
            let body = request.body ?? Data()
            try check(ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
            if body.isEmpty {
                try check(ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), "COPYPOSTFIELDS")
            } else {
                let code = body.withUnsafeBytes { bytes in
                    ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
                try check(code, "COPYPOSTFIELDS")
            }
        }
        if method != .post {
            // With a body set, curl would say POST; CUSTOMREQUEST only swaps the word in the request line.
            try check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method.rawValue), "CUSTOMREQUEST")
        }
    }

    private func configureHeaders(_ handle: UnsafeMutableRawPointer) throws(CurlHTTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        var lines: [String] = []
        for field in request.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(HTTPHeaders.isTokenByte) else {
                throw .invalidRequest("header name \"\(field.name)\" is not an HTTP token")
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest("value of header \"\(field.name)\" contains a line break or NUL")
            }
            // "Name;" is curl's spelling for a header with an empty value ("Name:" would remove it).
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if request.body != nil, !request.headers.contains(name: "Expect") {
            // Without this curl sends `Expect: 100-continue` for larger bodies and then waits up to
            // a second for a `100` that many servers never send.
            lines.append("Expect:")
        }
        for line in lines {
            guard let extended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw .transport(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_slist_append failed")
            }
            list = extended
        }
        headerList = list
        if let list {
            try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list), "HTTPHEADER")
        }
    }

    private func check(_ code: CURLcode, _ option: StaticString) throws(CurlHTTPError) {
        guard code == CURLE_OK else {
            throw .transport(code: Int(code.rawValue), message: "setting CURLOPT_\(option): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
