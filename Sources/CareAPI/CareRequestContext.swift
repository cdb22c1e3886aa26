import CareModel
import Hummingbird

/// What the server knows about one request beyond the request itself: who is calling.
public struct CareRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil until ``AuthenticationMiddleware`` finds a valid token.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// Refuses the request unless `access` allows the caller: 401 without a valid token,
    /// 403 when the caller's role lacks the permission.
    func check(_ access: Access) throws(APIError) {
        switch access {
        case .public, .deviceSignature: return
        case .authenticated: _ = try caller
        case .permission(let p): if !(try caller).allows(p) { throw .forbidden(p) }
        }
    }

    /// The authenticated caller (routes reach their handler only after ``check(_:)``).
    var caller: Principal {
        get throws(APIError) {
            guard let principal else { throw .unauthenticated }
            return principal
        }
    }
}
