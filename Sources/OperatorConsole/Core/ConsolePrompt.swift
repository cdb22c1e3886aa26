import CareModel

/// A question the console is asking, drawn above the key bar; it takes every key until it is
/// answered or dismissed with Esc.
public enum ConsolePrompt: Hashable, Sendable {
    /// `/`: the filter line being typed.
    case filter(text: String)
    case text(TextPrompt)
    case pick(Picker)
    case confirm(Confirmation)
    /// `q` while holding calls.
    case confirmQuit(question: String)
}

/// A line of free text: a note, a reason, a responder's name.
public struct TextPrompt: Hashable, Sendable {
    public enum Purpose: Hashable, Sendable {
        case note
        /// The second step of resolving: what happened, for the chosen outcome.
        case resolveNote(CallOutcome)
        case followUpNote
        case reopenReason
        /// Who is sent, for a responder who is not one of the elder's contacts.
        case responderName(ResponderKind)
        /// `#` in the queue: a call by its number, open or not (a follow-up, yesterday's call).
        case callNumber
        /// `h` on a green-key call: the home service to book for the elder, and when.
        case homeService
    }

    public var purpose: Purpose
    public var callId: Int64
    public var text: String

    public init(purpose: Purpose, callId: Int64, text: String = "") {
        self.purpose = purpose; self.callId = callId; self.text = text
    }

    public var title: String {
        switch purpose {
        case .note: "Note for the timeline"
        case .resolveNote(let outcome): "Resolve as \(outcome.label.chinese) \(outcome.label.english): what happened?"
        case .followUpNote: "Follow-up (回访): how is the elder?"
        case .reopenReason: "Reopen: why?"
        case .responderName(let kind): "\(kind.label.chinese) \(kind.label.english): name and phone"
        case .callNumber: "Open call number"
        case .homeService: "Book a home service (家政预约): service, day and time"
        }
    }

    public var placeholder: String {
        switch purpose {
        case .responderName: "e.g. 黄建国 13977512345"
        case .callNumber: "e.g. 4812"
        case .homeService: "e.g. cleaning 2026-12-09 09:00"
        default: ""
        }
    }
}

/// A list to choose from with the arrows and Enter, or by number.
public struct Picker: Hashable, Sendable {
    public struct Option: Hashable, Sendable {
        public var label: String
        public var value: Choice
        public init(_ label: String, _ value: Choice) { self.label = label; self.value = value }
    }

    /// What choosing an option leads to.
    public enum Choice: Hashable, Sendable {
        /// Dispatch this responder (after confirmation).
        case send(ResponderAssignment)
        /// Ask for the name of a responder of this kind first.
        case askName(ResponderKind)
        case outcome(CallOutcome)
        /// Which responder's progress to mark.
        case responder(Int)
        case status(responderId: Int, ResponderStatus)
        case reached(note: String, Bool)
    }

    public var title: String
    public var callId: Int64
    public var options: [Option]
    public var index: Int

    public init(title: String, callId: Int64, options: [Option], index: Int = 0) {
        self.title = title; self.callId = callId; self.options = options; self.index = index
    }
}

/// "Are you sure?" for what cannot be undone; only `y` sends.
public struct Confirmation: Hashable, Sendable {
    public var question: String
    public var request: ActionRequest

    public init(question: String, request: ActionRequest) { self.question = question; self.request = request }
}
