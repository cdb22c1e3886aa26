import Foundation

/// One billable event charged: exactly one per event id.
public struct Charge: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Priced and posted to the ledger.
        case posted
        /// Nothing to pay (a volunteer's visit, a free no-show): recorded so it is never charged again.
        case free
        /// No tariff priced it: recorded, posted nothing; `billing verify` names it.
        case unpriced
    }

    public var id: Int64
    public var eventId: String
    public var kind: BillableEvent.Kind
    public var bookingId: Int64
    public var elderId: Int64
    public var providerId: Int64
    public var service: String
    public var tariff: String
    /// The month the charge is posted in: the service's month, or the next open one when that was closed.
    public var month: BillingMonth
    /// The day the service was booked for.
    public var serviceDate: CalendarDate
    /// The service's price (the fee, for a late cancellation).
    public var priceFen: Int64
    /// Goods bought for the elder (proxy shopping), never subsidised.
    public var goodsFen: Int64
    public var split: PayerSplit
    public var status: Status
    /// The ledger transaction that posted it.
    public var transactionId: Int64?
    public var createdAt: Date

    public init(
        id: Int64, eventId: String, kind: BillableEvent.Kind, bookingId: Int64, elderId: Int64, providerId: Int64, service: String,
        tariff: String, month: BillingMonth, serviceDate: CalendarDate, priceFen: Int64, goodsFen: Int64, split: PayerSplit,
        status: Status, transactionId: Int64?, createdAt: Date
    ) {
        self.id = id; self.eventId = eventId; self.kind = kind; self.bookingId = bookingId; self.elderId = elderId
        self.providerId = providerId; self.service = service; self.tariff = tariff; self.month = month; self.serviceDate = serviceDate
        self.priceFen = priceFen; self.goodsFen = goodsFen; self.split = split; self.status = status; self.transactionId = transactionId
        self.createdAt = createdAt
    }

    /// What the elder owes for it: their share plus any goods.
    public var elderTotalFen: Int64 { split.elderFen + goodsFen }
    /// Everything the provider is owed for it.
    public var totalFen: Int64 { priceFen + goodsFen }
}

/// What one billable event costs before the split: the pure pricing rule.
public struct PricedEvent: Sendable, Hashable {
    /// The service's price (or the fee) to split between payers.
    public var priceFen: Int64
    /// Goods at the receipt amount, paid by the elder alone.
    public var goodsFen: Int64
    /// Whether funds may pay part of ``priceFen``.
    public var subsidised: Bool

    public init(priceFen: Int64, goodsFen: Int64, subsidised: Bool) {
        self.priceFen = priceFen; self.goodsFen = goodsFen; self.subsidised = subsidised
    }

    /// Prices `event` with its tariff: a verified visit or a delivered meal at the tariff; proxy
    /// shopping as the service fee plus the goods; a late cancellation or no-show as the policy's
    /// share of the price, unsubsidised; a volunteer's visit costs nothing.
    public static func price(_ event: BillableEvent, tariff: Tariff, policy: BillingPolicy) -> PricedEvent {
        if event.volunteer { return PricedEvent(priceFen: 0, goodsFen: 0, subsidised: false) }
        let bookedMinutes = Int(event.end.timeIntervalSince(event.start) / 60)
        switch event.kind {
        case .visitVerified, .mealDelivered:
            return PricedEvent(priceFen: tariff.price(minutes: event.minutes ?? bookedMinutes), goodsFen: 0, subsidised: true)
        case .shoppingReceipt:
            return PricedEvent(
                priceFen: tariff.price(minutes: event.minutes ?? bookedMinutes), goodsFen: max(0, event.amountFen ?? 0), subsidised: true)
        case .lateCancellation:
            let fee = Rounding.basisPoints(tariff.price(minutes: bookedMinutes), max(0, min(10_000, policy.lateCancellationBasisPoints)))
            return PricedEvent(priceFen: fee, goodsFen: 0, subsidised: false)
        case .noShow:
            let fee = Rounding.basisPoints(tariff.price(minutes: bookedMinutes), max(0, min(10_000, policy.noShowBasisPoints)))
            return PricedEvent(priceFen: fee, goodsFen: 0, subsidised: false)
        }
    }
}
