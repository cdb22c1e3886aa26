import CurlHTTP

/// Why the console could not get what it asked the server for, as one plain sentence
/// (``description``). The token never appears in any of them.
public enum ConsoleAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `--server` is not an `http://` or `https://` address.
    case invalidServer(String)
    /// The token is empty or has characters a token never has.
    case invalidToken
    /// Nothing answered: refused, timed out, name not found, TLS failure.
    case unreachable(server: String, detail: String)
    /// 401: the server does not know the token, or it was revoked.
    case tokenRefused(server: String)
    /// Any other non-2xx answer, with the problem document's sentence.
    case answered(status: Int, detail: String)
    /// A 2xx whose body was not what the API promises.
    case unreadable(String)

    public var status: Int? {
        switch self {
        case .tokenRefused: 401
        case .answered(let status, _): status
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidServer(let server):
            "--server \"\(server)\" is not a server address; give one like http://127.0.0.1:8080."
        case .invalidToken:
            "The token is not an eldercare API token (ec_…); check --token, --token-file or ELDERCARE_TOKEN."
        case .unreachable(let server, let detail):
            "Cannot reach the server at \(server) (\(detail)). Is it running, and is the address right?"
        case .tokenRefused(let server):
            "The server at \(server) refused the token: it is unknown or was revoked. Ask a supervisor for a new one."
        case .answered(_, let detail):
            detail
        case .unreadable(let detail):
            "The server's answer could not be read (\(detail)); is --server pointing at an eldercare server?"
        }
    }

    /// What the console shows when an action failed for this reason.
    public var actionFailure: ActionFailure {
        switch self {
        case .unreachable(_, let detail):
            // A request that timed out may still have been applied: say so, and the screen refreshes.
            ActionFailure(
                status: nil, message: "No answer from the server (\(detail)); the call is refreshed, check it before trying again.")
        default:
            ActionFailure(status: status, message: description)
        }
    }

    static func from(_ error: CurlHTTPError, server: String) -> ConsoleAPIError {
        switch error {
        case .invalidURL: .invalidServer(server)
        case .invalidRequest: .invalidToken
        case .couldNotConnect(let detail), .timeout(let detail), .connectionClosed(let detail), .tls(let detail):
            .unreachable(server: server, detail: detail)
        case .transport(_, let message): .unreachable(server: server, detail: message)
        case .responseTooLarge(let limit): .unreadable("the answer is larger than \(limit) bytes")
        case .cancelled: .unreachable(server: server, detail: "the request was cancelled")
        case .clientShutDown: .unreachable(server: server, detail: "the console is shutting down")
        }
    }
}
