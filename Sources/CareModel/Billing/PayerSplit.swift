import Foundation

/// Who pays how much of one price: long-term-care insurance first where it applies, then the
/// voucher (capped by its share of what is left and by the month's remaining balance), then
/// the elder. The legs are whole fen, none negative, and always add up to the price.
public struct PayerSplit: Codable, Sendable, Hashable {
    public var insuranceFen: Int64
    public var voucherFen: Int64
    public var elderFen: Int64

    public init(insuranceFen: Int64, voucherFen: Int64, elderFen: Int64) {
        self.insuranceFen = insuranceFen; self.voucherFen = voucherFen; self.elderFen = elderFen
    }

    public var totalFen: Int64 { insuranceFen + voucherFen + elderFen }

    /// The split of `priceFen`.
    /// - Parameters:
    ///   - insurance: the insurance rule, when the elder is insured and the county has one.
    ///   - insuranceRemainingFen: what is left of the insurance's monthly cap (nil: no cap).
    ///   - voucher: the elder's voucher, if any.
    ///   - voucherRemainingFen: what is left of this month's voucher value.
    ///   - subsidised: false for what no fund ever pays (goods bought, a late-cancellation fee).
    public static func split(
        priceFen: Int64, insurance: InsuranceRule?, insuranceRemainingFen: Int64?, voucher: VoucherRule?, voucherRemainingFen: Int64,
        subsidised: Bool = true
    ) -> PayerSplit {
        let price = max(0, priceFen)
        guard subsidised else { return PayerSplit(insuranceFen: 0, voucherFen: 0, elderFen: price) }
        var ins: Int64 = 0
        if let insurance {
            ins = Rounding.basisPoints(price, min(10_000, max(0, insurance.rateBasisPoints)))
            if let left = insuranceRemainingFen { ins = min(ins, max(0, left)) }
        }
        var vch: Int64 = 0
        if let voucher {
            let share = Rounding.basisPoints(price - ins, min(10_000, max(0, voucher.maxShareBasisPoints)))
            vch = min(share, max(0, voucherRemainingFen))
        }
        return PayerSplit(insuranceFen: ins, voucherFen: vch, elderFen: price - ins - vch)
    }
}

/// How events that are not a delivered service are charged. Neither is ever subsidised: funds
/// pay only for what was delivered.
public struct BillingPolicy: Codable, Sendable, Hashable {
    /// The share of the booked service's price an elder pays for a cancellation after the cut-off.
    public var lateCancellationBasisPoints: Int
    /// The share an elder pays when the worker came and nobody opened the door.
    public var noShowBasisPoints: Int

    public init(lateCancellationBasisPoints: Int = 5_000, noShowBasisPoints: Int = 0) {
        self.lateCancellationBasisPoints = lateCancellationBasisPoints; self.noShowBasisPoints = noShowBasisPoints
    }

    public static let standard = BillingPolicy()
}
