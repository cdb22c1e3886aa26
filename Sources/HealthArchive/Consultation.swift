public import CareModel
public import Foundation

/// A health consultation (健康咨询): an elder's or family's question, routed to the elder's
/// community health centre, answered by a clinician there, and kept in the archive as an
/// Encounter with the question and the answer.
public struct Consultation: Codable, Sendable, Hashable, Identifiable {
    public enum Status: String, Codable, Sendable, CaseIterable { case open, answered }
    /// How the question came: an operator logging a phone call, or the API.
    public enum Channel: String, Codable, Sendable, CaseIterable { case phone, api }

    public var id: Int64
    public var elderId: Int64
    /// The health centre it was routed to; nil when no centre serves the elder's region.
    public var institutionId: Int64?
    public var channel: Channel
    public var question: String
    public var askedBy: String
    public var askedAt: Date
    public var answer: String?
    public var answeredBy: String?
    public var answeredAt: Date?
    /// The archive's record of the exchange, once answered: `Encounter/88`.
    public var encounter: String?
    public var status: Status

    public init(
        id: Int64, elderId: Int64, institutionId: Int64?, channel: Channel, question: String, askedBy: String, askedAt: Date,
        answer: String?, answeredBy: String?, answeredAt: Date?, encounter: String?, status: Status
    ) {
        self.id = id; self.elderId = elderId; self.institutionId = institutionId; self.channel = channel; self.question = question
        self.askedBy = askedBy; self.askedAt = askedAt; self.answer = answer; self.answeredBy = answeredBy
        self.answeredAt = answeredAt; self.encounter = encounter; self.status = status
    }
}

/// `POST /v1/consultations`.
public struct NewConsultation: Codable, Sendable {
    public var elderId: Int64
    public var question: String
    public var channel: Consultation.Channel?

    public init(elderId: Int64, question: String, channel: Consultation.Channel? = nil) {
        self.elderId = elderId; self.question = question; self.channel = channel
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.checkText(question, "question", maxLength: 2000)
        try v.finish()
    }
}

/// `POST /v1/consultations/{id}/answer`.
public struct ConsultationAnswer: Codable, Sendable {
    public var answer: String

    public init(answer: String) { self.answer = answer }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.checkText(answer, "answer", maxLength: 4000)
        try v.finish()
    }
}
