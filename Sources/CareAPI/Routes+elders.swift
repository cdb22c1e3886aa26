import CareModel
import CareStore
import Hummingbird

/// Create: `NewElder` plus an optional call list.
struct NewElderRequest: Decodable, Sendable {
    var elder: NewElder
    var contacts: [NewContact]?

    init(from decoder: any Decoder) throws {
        elder = try NewElder(from: decoder)
        let c = try decoder.container(keyedBy: Key.self)
        contacts = try c.decodeIfPresent([NewContact].self, forKey: .contacts)
    }

    enum Key: String, CodingKey { case contacts }
}

extension APIEnvironment {
    /// An elder as `principal` may see them: identity numbers masked unless their role needs them.
    func shown(_ elder: Elder, to principal: Principal) -> Elder {
        principal.allows(.viewFullNationalID) ? elder : elder.masked
    }

    var elderRoutes: [APIRoute] {
        [
            APIRoute(.post, "/v1/elders", .permission(.writeElders)) { request, context in
                let who = try context.caller
                let body = try await decode(NewElderRequest.self, request)
                let elder = try body.elder.validated(now: clock.now())
                let stored = try await database.registry.createElder(elder, contacts: body.contacts ?? [], by: who)
                return try JSONCoding.response(shown(stored, to: who), status: .created, headers: .etag(stored.version))
            },
            APIRoute(.get, "/v1/elders", .permission(.readElders)) { request, context in
                let who = try context.caller
                let filter = ElderFilter(
                    region: queryText(request, "region"), category: try query(request, "category", as: SubsidyCategory.self),
                    status: try query(request, "status", as: RecordStatus.self),
                    livingSituation: try query(request, "livingSituation", as: LivingSituation.self),
                    careLevel: try query(request, "careLevel", as: CareLevel.self), nameContains: queryText(request, "q"))
                let page = try await database.registry.elders(filter, page: try pageRequest(request))
                return try JSONCoding.response(Page(items: page.items.map { shown($0, to: who) }, nextCursor: page.nextCursor))
            },
            APIRoute(.get, "/v1/elders/:id", .permission(.readElders)) { _, context in
                let who = try context.caller
                let elder = try await database.registry.elder(id: try id(context, "elder"))
                return try JSONCoding.response(shown(elder, to: who), headers: .etag(elder.version))
            },
            APIRoute(.patch, "/v1/elders/:id", .permission(.writeElders)) { request, context in
                let who = try context.caller
                let elderId = try id(context, "elder")
                let expected = try expectedVersion(request)
                let patch = try await decode(ElderPatch.self, request)
                let updated = try await database.registry.updateElder(id: elderId, expectedVersion: expected, by: who) { old, now in
                    try patch.applied(to: old, now: now)
                }
                return try JSONCoding.response(shown(updated, to: who), headers: .etag(updated.version))
            },
            APIRoute(.delete, "/v1/elders/:id", .permission(.writeElders)) { _, context in
                let who = try context.caller
                try await database.registry.deleteElder(id: try id(context, "elder"), by: who)
                return Response(status: .noContent)
            },
        ]
    }

    var contactRoutes: [APIRoute] {
        [
            APIRoute(.get, "/v1/elders/:id/contacts", .permission(.readElders)) { _, context in
                return try JSONCoding.response(try await database.registry.contacts(elderId: try id(context, "elder")))
            },
            APIRoute(.post, "/v1/elders/:id/contacts", .permission(.writeContacts)) { request, context in
                let who = try context.caller
                let contact = try await decode(NewContact.self, request)
                let stored = try await database.registry.addContact(elderId: try id(context, "elder"), contact, by: who)
                return try JSONCoding.response(stored, status: .created)
            },
            APIRoute(.put, "/v1/elders/:id/contacts", .permission(.writeContacts)) { request, context in
                let who = try context.caller
                let list = try await decode([NewContact].self, request)
                return try JSONCoding.response(try await database.registry.replaceContacts(elderId: try id(context, "elder"), list, by: who))
            },
            APIRoute(.patch, "/v1/elders/:id/contacts/:contactId", .permission(.writeContacts)) { request, context in
                let who = try context.caller
                let patch = try await decode(ContactPatch.self, request)
                let updated = try await database.registry.updateContact(
                    elderId: try id(context, "elder"), contactId: try id(context, "contact", "contactId"), patch, by: who)
                return try JSONCoding.response(updated)
            },
            APIRoute(.delete, "/v1/elders/:id/contacts/:contactId", .permission(.writeContacts)) { _, context in
                let who = try context.caller
                try await database.registry.deleteContact(elderId: try id(context, "elder"),
                                                 contactId: try id(context, "contact", "contactId"), by: who)
                return Response(status: .noContent)
            },
        ]
    }
}
