public import Foundation

/// The resources the server makes itself: the Patient that follows the registry, device readings,
/// consultations, and the archive's usual records. Every one validates with ``FHIRValidator``.
///
/// Fixed parts (codes, categories) are built once and shared, because the seed builds millions.
public enum FHIRBuild {
    /// The Patient for a registry elder: registry name (HumanName.text and family/given), gender (male/female), birthDate,
    /// address text, telecom phone; identifiers: the national ID as the registry masks it (use the masked text given) and
    /// the archive number.
    public static func patient(elder: Elder, maskedNationalID: String, archiveNumber: String) -> FHIRJSON {
        var name = FHIRObject([("use", "official"), ("text", .string(elder.name))])
        if let (family, given) = splitChineseName(elder.name) {
            name["family"] = .string(family)
            name["given"] = [.string(given)]
        }
        var patient = FHIRObject([
            ("resourceType", "Patient"),
            (
                "identifier",
                [
                    [
                        "use": "official", "type": ["text": "居民身份证"], "system": .string(FHIRSystem.nationalID),
                        "value": .string(maskedNationalID),
                    ],
                    [
                        "use": "usual", "type": ["text": "居民健康档案编号"], "system": .string(FHIRSystem.archiveNumber),
                        "value": .string(archiveNumber),
                    ],
                ]
            ),
            ("active", .bool(elder.status == .active)),
            ("name", [.object(name)]),
        ])
        if let phone = elder.phone, !phone.isEmpty {
            patient["telecom"] = [["system": "phone", "value": .string(phone), "use": "mobile"]]
        }
        patient["gender"] = .string(elder.sex.rawValue)
        patient["birthDate"] = .string(elder.birthDate.description)
        if !elder.address.isEmpty {
            patient["address"] = [["use": "home", "text": .string(elder.address)]]
        }
        return .object(patient)
    }

    /// Two-character surnames common enough to matter; any other name takes its first character as the family name.
    private static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "轩辕", "宇文", "长孙", "端木", "西门", "南宫", "独孤",
    ]

    /// Family and given name of a Chinese name written without spaces; nil for other names, which keep only their text.
    static func splitChineseName(_ name: String) -> (String, String)? {
        guard name.count >= 2, name.unicodeScalars.allSatisfy({ $0.value >= 0x3400 && $0.value <= 0x9FFF }) else { return nil }
        let two = String(name.prefix(2))
        if name.count >= 3 && compoundSurnames.contains(two) { return (two, String(name.dropFirst(2))) }
        return (String(name.prefix(1)), String(name.dropFirst()))
    }

    /// One device-measured Observation (meta.tag our "device-measured" code; category vital-signs; effectiveDateTime;
    /// device display text) for one reading; BP as a panel with systolic/diastolic components. With `eventRef`, each
    /// carries the event's identifier (`<device>/<ref>`), so a reading can be traced to the event that brought it.
    public static func deviceObservations(
        _ vitals: Vitals, patientId: String, at: Date, deviceId: String, eventRef: String? = nil
    )
        -> [FHIRJSON]
    {
        let subject = reference(patientId)
        let time = FHIRJSON.string(FHIRDate.dateTime(at))
        let device: FHIRJSON = [
            "identifier": ["system": .string(FHIRSystem.device), "value": .string(deviceId)],
            "display": .string("设备 \(deviceId)"),
        ]
        let identifier: FHIRJSON? = eventRef.map { ref in
            [["system": .string(FHIRSystem.deviceEvent), "value": .string("\(deviceId)/\(ref)")]]
        }
        var out: [FHIRJSON] = []
        func add(_ sign: VitalSign, _ value: FHIRJSON?, components: [FHIRJSON]? = nil) {
            out.append(
                observation(
                    sign, subject: subject, time: time, value: value.map { ("valueQuantity", quantity(sign, $0)) }, components: components,
                    tagged: true, device: device, identifier: identifier))
        }
        if let hr = vitals.heartRate { add(.heartRate, .number(String(hr))) }
        if let spo2 = vitals.spo2 { add(.spo2, .number(String(spo2))) }
        if let s = vitals.systolic, let d = vitals.diastolic {
            add(.bloodPressure, nil, components: [component(.systolic, .number(String(s))), component(.diastolic, .number(String(d)))])
        }
        if let t = vitals.temperature { add(.temperature, .decimal(t)) }
        return out
    }

    /// A manual reading of one sign. `.bloodPressure` has two values: use ``bloodPressure(systolic:diastolic:patientId:at:)``;
    /// given here, the value is read as the systolic pressure alone. The self-care assessment's value is its whole score.
    public static func vital(_ sign: VitalSign, value: Double, patientId: String, at: Date) -> FHIRJSON {
        Readings(patientId: patientId, at: at).vital(sign, value: value)
    }

    /// A blood pressure panel with its systolic and diastolic components, measured by hand.
    public static func bloodPressure(systolic: Double, diastolic: Double, patientId: String, at: Date) -> FHIRJSON {
        Readings(patientId: patientId, at: at).bloodPressure(systolic: systolic, diastolic: diastolic)
    }

    /// Manual readings of one patient taken at one time (a check-up, a follow-up): the subject and the time are
    /// written once and shared by every reading, which the seed's millions of readings notice.
    ///
    /// ```swift
    /// let visit = FHIRBuild.Readings(patientId: "42", at: now)
    /// [visit.bloodPressure(systolic: 128, diastolic: 82), visit.vital(.heartRate, value: 72)]
    /// ```
    public struct Readings: Sendable {
        let subject: FHIRJSON
        let time: FHIRJSON

        public init(patientId: String, at: Date) {
            subject = reference(patientId)
            time = .string(FHIRDate.dateTime(at))
        }

        /// See ``FHIRBuild/vital(_:value:patientId:at:)``.
        public func vital(_ sign: VitalSign, value: Double) -> FHIRJSON {
            switch sign {
            case .selfCareAssessment:
                return selfCare(score: Int(value.rounded()), subject: subject, time: time)
            case .bloodPressure:
                return observation(.systolic, subject: subject, time: time, value: ("valueQuantity", quantity(.systolic, .decimal(value))))
            default:
                return observation(sign, subject: subject, time: time, value: ("valueQuantity", quantity(sign, .decimal(value))))
            }
        }

        /// See ``FHIRBuild/bloodPressure(systolic:diastolic:patientId:at:)``.
        public func bloodPressure(systolic: Double, diastolic: Double) -> FHIRJSON {
            observation(
                .bloodPressure, subject: subject, time: time, value: nil,
                components: [component(.systolic, .decimal(systolic)), component(.diastolic, .decimal(diastolic))])
        }
    }

    /// A consultation Encounter. R4's Encounter has no note, so the question is reasonCode.text and the whole exchange is
    /// the narrative (status `additional`, since the answer lives nowhere else); the clinician is a participant by name.
    /// Unanswered it is `in-progress`; answered, `finished` with the answer time as period.end.
    public static func consultation(
        patientId: String, question: String, answer: String?, clinician: String?, at: Date, answeredAt: Date?
    ) -> FHIRJSON {
        var div = #"<div xmlns="http://www.w3.org/1999/xhtml"><p>问：\#(xmlEscaped(question))</p>"#
        if let answer {
            let by = clinician.map { "（\(xmlEscaped($0))）" } ?? ""
            div += "<p>答\(by)：\(xmlEscaped(answer))</p>"
        }
        div += "</div>"
        var encounter = FHIRObject([
            ("resourceType", "Encounter"),
            ("text", ["status": "additional", "div": .string(div)]),
            ("status", answer == nil ? "in-progress" : "finished"),
            ("class", encounterClass(.consultation)),
            ("type", [kindConcept(.consultation)]),
            ("subject", reference(patientId)),
        ])
        if let clinician {
            encounter["participant"] = [["individual": ["display": .string(clinician)]]]
        }
        var period = FHIRObject([("start", .string(FHIRDate.dateTime(at)))])
        if answer != nil, let answeredAt { period["end"] = .string(FHIRDate.dateTime(answeredAt)) }
        encounter["period"] = .object(period)
        encounter["reasonCode"] = [["text": .string(question)]]
        return .object(encounter)
    }

    /// The question, answer and clinician of a consultation Encounter made by
    /// ``consultation(patientId:question:answer:clinician:at:answeredAt:)``, for the screens that show the exchange.
    public static func consultationParts(_ encounter: FHIRJSON) -> (question: String?, answer: String?, clinician: String?) {
        let question = encounter["reasonCode"]?.array?.first?["text"]?.string
        let clinician = encounter["participant"]?.array?.first?["individual"]?["display"]?.string
        var answer: String?
        if let div = encounter["text"]?["div"]?.string, let range = div.range(of: "<p>答") {
            let rest = div[range.upperBound...]
            if let colon = rest.range(of: "："), let end = rest.range(of: "</p>") {
                answer = xmlUnescaped(String(rest[colon.upperBound..<end.lowerBound]))
            }
        }
        return (question, answer, clinician)
    }

    /// An Encounter of one of our kinds, finished when `end` is given.
    public static func encounter(_ kind: EncounterKind, patientId: String, start: Date, end: Date?) -> FHIRJSON {
        var period = FHIRObject([("start", .string(FHIRDate.dateTime(start)))])
        if let end { period["end"] = .string(FHIRDate.dateTime(end)) }
        return [
            "resourceType": "Encounter", "status": end == nil ? "in-progress" : "finished", "class": encounterClass(kind),
            "type": [kindConcept(kind)], "subject": reference(patientId), "period": .object(period),
        ]
    }

    /// A confirmed, active diagnosis coded in ICD-10; `onset` is a FHIR date (`2015`, `2015-06`, `2015-06-01`).
    public static func condition(_ condition: ICD10Condition, patientId: String, onset: String?, recorded: Date) -> FHIRJSON {
        var o = FHIRObject([
            ("resourceType", "Condition"),
            ("clinicalStatus", activeCondition),
            ("verificationStatus", confirmedCondition),
            ("category", problemListCategory),
            (
                "code",
                [
                    "coding": [
                        ["system": .string(FHIRSystem.icd10), "code": .string(condition.code), "display": .string(condition.display)]
                    ],
                    "text": .string(condition.display),
                ]
            ),
            ("subject", reference(patientId)),
        ])
        if let onset { o["onsetDateTime"] = .string(onset) }
        o["recordedDate"] = .string(FHIRDate.dateTime(recorded))
        return .object(o)
    }

    /// A confirmed, active allergy to `allergen`, with the reaction in words (皮疹).
    public static func allergy(_ allergen: Allergen, patientId: String, recorded: Date, criticality: String, reaction: String?) -> FHIRJSON
    {
        var o = FHIRObject([
            ("resourceType", "AllergyIntolerance"),
            ("clinicalStatus", activeAllergy),
            ("verificationStatus", confirmedAllergy),
            ("type", "allergy"),
            ("category", [.string(allergen.category)]),
            ("criticality", .string(criticality)),
            (
                "code",
                ["coding": [["system": .string(FHIRSystem.snomed), "code": .string(allergen.snomed)]], "text": .string(allergen.display)]
            ),
            ("patient", reference(patientId)),
            ("recordedDate", .string(FHIRDate.dateTime(recorded))),
        ])
        if let reaction { o["reaction"] = [["manifestation": [["text": .string(reaction)]]]] }
        return .object(o)
    }

    /// A drug the elder takes now, since `since` (a FHIR dateTime text), for `reason`.
    public static func medication(_ drug: Drug, patientId: String, since: String?, asserted: Date, reason: ICD10Condition?) -> FHIRJSON {
        let dose = FHIRJSON.decimal(drug.dose)
        let times =
            ["一次", "两次", "三次", "四次"].indices.contains(drug.timesPerDay - 1)
            ? ["一次", "两次", "三次", "四次"][drug.timesPerDay - 1] : "\(drug.timesPerDay)次"
        let doseText = JSONText.number(drug.dose) + " " + drug.doseUnit
        var o = FHIRObject([
            ("resourceType", "MedicationStatement"),
            ("status", "active"),
            (
                "medicationCodeableConcept",
                ["coding": [["system": .string(FHIRSystem.atc), "code": .string(drug.atc)]], "text": .string(drug.display)]
            ),
            ("subject", reference(patientId)),
        ])
        if let since { o["effectivePeriod"] = ["start": .string(since)] }
        o["dateAsserted"] = .string(FHIRDate.dateTime(asserted))
        if let reason {
            o["reasonCode"] = [
                ["coding": [["system": .string(FHIRSystem.icd10), "code": .string(reason.code)]], "text": .string(reason.display)]
            ]
        }
        o["dosage"] = [
            [
                "text": .string(doseText + " 每日" + times),
                "timing": ["repeat": ["frequency": .number(String(drug.timesPerDay)), "period": 1, "periodUnit": "d"]],
                "doseAndRate": [
                    [
                        "doseQuantity": [
                            "value": dose, "unit": .string(drug.doseUnit), "system": .string(FHIRSystem.ucum),
                            "code": .string(drug.doseUnit),
                        ]
                    ]
                ],
            ]
        ]
        return .object(o)
    }

    /// A whole archive document (a WS 365 form, a scanned record) as a DocumentReference whose attachment carries the data,
    /// its size and its SHA-1 hash.
    public static func archiveDocument(
        patientId: String, title: String, contentType: String, data: Data, at: Date, description: String? = nil
    ) -> FHIRJSON {
        var o = FHIRObject([
            ("resourceType", "DocumentReference"),
            ("status", "current"),
            ("type", ["coding": [["system": .string(FHIRSystem.documentType), "code": "WS365-2011", "display": "城乡居民健康档案基本数据集"]]]),
            ("subject", reference(patientId)),
            ("date", .string(FHIRDate.dateTime(at))),
        ])
        if let description { o["description"] = .string(description) }
        o["content"] = [
            [
                "attachment": [
                    "contentType": .string(contentType), "data": .string(data.base64EncodedString()), "size": .number(String(data.count)),
                    "hash": .string(SHA1.digest(data).base64EncodedString()), "title": .string(title),
                    "creation": .string(FHIRDate.dateTime(at)),
                ]
            ]
        ]
        return .object(o)
    }

    // MARK: Parts

    static func reference(_ patientId: String) -> FHIRJSON { ["reference": .string("Patient/" + patientId)] }

    /// The pieces of one Observation, assembled in R4's element order.
    static func observation(
        _ sign: VitalSign, subject: FHIRJSON, time: FHIRJSON, value: (String, FHIRJSON)?, components: [FHIRJSON]? = nil,
        interpretation: FHIRJSON? = nil, tagged: Bool = false, device: FHIRJSON? = nil, identifier: FHIRJSON? = nil
    ) -> FHIRJSON {
        var members: [FHIRObject.Member] = [FHIRObject.Member(key: "resourceType", value: "Observation")]
        members.reserveCapacity(12)
        if tagged { members.append(FHIRObject.Member(key: "meta", value: deviceMeta)) }
        if let identifier { members.append(FHIRObject.Member(key: "identifier", value: identifier)) }
        members.append(FHIRObject.Member(key: "status", value: "final"))
        members.append(FHIRObject.Member(key: "category", value: categories[sign]!))
        members.append(FHIRObject.Member(key: "code", value: codes[sign]!))
        members.append(FHIRObject.Member(key: "subject", value: subject))
        members.append(FHIRObject.Member(key: "effectiveDateTime", value: time))
        if let value { members.append(FHIRObject.Member(key: value.0, value: value.1)) }
        if let interpretation { members.append(FHIRObject.Member(key: "interpretation", value: interpretation)) }
        if let device { members.append(FHIRObject.Member(key: "device", value: device)) }
        if let components { members.append(FHIRObject.Member(key: "component", value: .array(components))) }
        return .object(FHIRObject(unique: members))
    }

    static func quantity(_ sign: VitalSign, _ value: FHIRJSON) -> FHIRJSON {
        .object(
            FHIRObject(unique: [
                FHIRObject.Member(key: "value", value: value), FHIRObject.Member(key: "unit", value: .string(sign.displayUnit)),
                FHIRObject.Member(key: "system", value: .string(FHIRSystem.ucum)),
                FHIRObject.Member(key: "code", value: .string(sign.unit)),
            ]))
    }

    static func component(_ sign: VitalSign, _ value: FHIRJSON) -> FHIRJSON {
        .object(
            FHIRObject(unique: [
                FHIRObject.Member(key: "code", value: codes[sign]!), FHIRObject.Member(key: "valueQuantity", value: quantity(sign, value)),
            ]))
    }

    static func selfCare(score: Int, subject: FHIRJSON, time: FHIRJSON) -> FHIRJSON {
        let band = SelfCareBand(score: score)
        return observation(
            .selfCareAssessment, subject: subject, time: time, value: ("valueInteger", .number(String(score))),
            interpretation: bandConcepts[band]!)
    }

    static func encounterClass(_ kind: EncounterKind) -> FHIRJSON {
        ["system": .string(FHIRSystem.actCode), "code": .string(kind.actCode.code), "display": .string(kind.actCode.display)]
    }

    static func kindConcept(_ kind: EncounterKind) -> FHIRJSON {
        [
            "coding": [["system": .string(FHIRSystem.encounterKind), "code": .string(kind.rawValue), "display": .string(kind.display)]],
            "text": .string(kind.display),
        ]
    }

    static let codes: [VitalSign: FHIRJSON] = Dictionary(
        uniqueKeysWithValues: VitalSign.allCases.map { sign in
            (
                sign,
                [
                    "coding": [["system": .string(sign.system), "code": .string(sign.loinc), "display": .string(sign.codeDisplay)]],
                    "text": .string(sign.display),
                ] as FHIRJSON
            )
        })

    static let categories: [VitalSign: FHIRJSON] = Dictionary(
        uniqueKeysWithValues: VitalSign.allCases.map { sign in
            let display = ["vital-signs": "Vital Signs", "laboratory": "Laboratory", "survey": "Survey"][sign.category]!
            return (
                sign,
                [
                    [
                        "coding": [
                            [
                                "system": .string(FHIRSystem.observationCategory), "code": .string(sign.category),
                                "display": .string(display),
                            ]
                        ]
                    ]
                ]
                    as FHIRJSON
            )
        })

    static let bandConcepts: [SelfCareBand: FHIRJSON] = Dictionary(
        uniqueKeysWithValues: SelfCareBand.allCases.map { band in
            (
                band,
                [
                    [
                        "coding": [
                            ["system": .string(FHIRSystem.selfCareBand), "code": .string(band.rawValue), "display": .string(band.display)]
                        ]
                    ]
                ]
                    as FHIRJSON
            )
        })

    static let deviceMeta: FHIRJSON = ["tag": [["system": .string(FHIRSystem.tag), "code": "device-measured", "display": "设备测量"]]]
    static let activeCondition: FHIRJSON = ["coding": [["system": .string(FHIRSystem.conditionClinical), "code": "active"]]]
    static let confirmedCondition: FHIRJSON = ["coding": [["system": .string(FHIRSystem.conditionVerification), "code": "confirmed"]]]
    static let problemListCategory: FHIRJSON = [
        ["coding": [["system": .string(FHIRSystem.conditionCategory), "code": "problem-list-item", "display": "Problem List Item"]]]
    ]
    static let activeAllergy: FHIRJSON = ["coding": [["system": .string(FHIRSystem.allergyClinical), "code": "active"]]]
    static let confirmedAllergy: FHIRJSON = ["coding": [["system": .string(FHIRSystem.allergyVerification), "code": "confirmed"]]]

    static func xmlEscaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }

    static func xmlUnescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(
            of: "&amp;", with: "&")
    }
}
