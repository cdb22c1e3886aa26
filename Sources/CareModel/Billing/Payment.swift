import Foundation

/// How an elder or family paid (服务缴费).
public enum PaymentMethod: String, Codable, Sendable, CaseIterable {
    case cash, wechat, alipay, bank
}

/// A payment to record: the external reference is unique, so recording it twice is refused.
public struct NewPayment: Codable, Sendable, Hashable {
    public var elderId: Int64
    public var amountFen: Int64
    public var method: PaymentMethod
    /// The payment provider's transaction number, or the cash receipt book's number.
    public var externalRef: String
    public var payer: String?

    public init(elderId: Int64, amountFen: Int64, method: PaymentMethod, externalRef: String, payer: String? = nil) {
        self.elderId = elderId; self.amountFen = amountFen; self.method = method; self.externalRef = externalRef; self.payer = payer
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.check(elderId > 0, "elderId", "must be an elder's id")
        v.check(amountFen > 0 && amountFen <= 100_000_000, "amountFen", "must be from 1 to 100000000 fen")
        v.checkText(externalRef, "externalRef", maxLength: 100)
        v.checkText(payer, "payer", required: false, maxLength: 100)
        try v.finish()
    }
}

/// A payment as recorded, with its receipt number.
public struct Payment: Codable, Sendable, Hashable {
    public var id: Int64
    public var elderId: Int64
    public var amountFen: Int64
    public var method: PaymentMethod
    public var externalRef: String
    public var payer: String?
    /// `YL-2026-000001`: numbered without gaps per year.
    public var receiptNumber: String
    public var month: BillingMonth
    public var receivedAt: Date
    public var transactionId: Int64

    public init(
        id: Int64, elderId: Int64, amountFen: Int64, method: PaymentMethod, externalRef: String, payer: String?, receiptNumber: String,
        month: BillingMonth, receivedAt: Date, transactionId: Int64
    ) {
        self.id = id; self.elderId = elderId; self.amountFen = amountFen; self.method = method; self.externalRef = externalRef
        self.payer = payer; self.receiptNumber = receiptNumber; self.month = month; self.receivedAt = receivedAt
        self.transactionId = transactionId
    }
}

/// An elder's account: positive balance means the elder owes.
public struct ElderBalance: Codable, Sendable, Hashable {
    public var elderId: Int64
    /// Charged minus paid and credited, all time.
    public var balanceFen: Int64
    /// What the elder owes now (never negative; a credit shows as ``creditFen``).
    public var owedFen: Int64
    public var creditFen: Int64

    public init(elderId: Int64, balanceFen: Int64) {
        self.elderId = elderId; self.balanceFen = balanceFen
        self.owedFen = max(0, balanceFen); self.creditFen = max(0, -balanceFen)
    }
}

/// What billing knows about an elder beyond the registry: categories set by billing staff (when
/// they differ from the registry's), and whether long-term-care insurance covers them.
public struct BillingProfile: Codable, Sendable, Hashable {
    public var elderId: Int64
    /// Nil: the categories the registry's record implies.
    public var categories: [BillingCategory]?
    public var ltcInsured: Bool
    /// The institution that houses the elder with government support: it receives the county's
    /// placement subsidy for the elder each month.
    public var placementInstitutionId: Int64?

    public init(elderId: Int64, categories: [BillingCategory]? = nil, ltcInsured: Bool = false, placementInstitutionId: Int64? = nil) {
        self.elderId = elderId; self.categories = categories; self.ltcInsured = ltcInsured
        self.placementInstitutionId = placementInstitutionId
    }
}
