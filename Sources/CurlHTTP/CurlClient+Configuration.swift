extension CurlClient {
    /// Settings shared by every request of one client.
    ///
    /// ```swift
    /// var configuration = CurlClient.Configuration()
    /// configuration.maximumConnectionsPerHost = 64   // be gentle with one agency's server
    /// let client = try CurlClient(configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// Idle connections kept open for reuse (`CURLMOPT_MAXCONNECTS`). Keep it above the
        /// number of requests usually in flight, or connections get closed and reopened.
        public var maximumCachedConnections: Int
        /// Open connections per host (`CURLMOPT_MAX_HOST_CONNECTIONS`); `nil` for no limit.
        /// Requests over the limit wait inside curl, and their total timeout keeps running.
        public var maximumConnectionsPerHost: Int?
        /// Open connections in total (`CURLMOPT_MAX_TOTAL_CONNECTIONS`); `nil` for no limit.
        public var maximumTotalConnections: Int?
        /// Largest body ``CurlClient/send(_:)`` collects before failing with
        /// ``CurlHTTPError/responseTooLarge(limit:)``. Streams have no limit.
        public var maximumResponseBodySize: Int
        /// Idle easy handles kept for reuse.
        public var easyHandlePoolSize: Int
        /// Sent as `User-Agent` unless a request sets its own; `nil` sends none.
        public var userAgent: String?
        /// Whether curl may pick up `http_proxy`, `https_proxy` and `no_proxy` from the environment.
        public var usesEnvironmentProxy: Bool

        public init(
            maximumCachedConnections: Int = 512,
            maximumConnectionsPerHost: Int? = nil,
            maximumTotalConnections: Int? = nil,
            maximumResponseBodySize: Int = 16 << 20,
            easyHandlePoolSize: Int = 64,
            userAgent: String? = "CurlHTTP",
            usesEnvironmentProxy: Bool = true
        ) {
            self.maximumCachedConnections = maximumCachedConnections
            self.maximumConnectionsPerHost = maximumConnectionsPerHost
            self.maximumTotalConnections = maximumTotalConnections
            self.maximumResponseBodySize = maximumResponseBodySize
            self.easyHandlePoolSize = easyHandlePoolSize
            self.userAgent = userAgent
            self.usesEnvironmentProxy = usesEnvironmentProxy
        }
    }
}
