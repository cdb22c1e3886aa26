import CareModel
import CareStore
import Hummingbird

/// Elders and their emergency contacts (the call list families are reached through).
struct ElderController: Sendable {
    let env: APIEnvironment
    let registry: RegistryStore
    let clock: CareClock

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/elders", .permission(.writeElders), create),
            APIRoute(.get, "/v1/elders", .permission(.readElders), list),
            APIRoute(.get, "/v1/elders/:id", .permission(.readElders), get),
            APIRoute(.patch, "/v1/elders/:id", .permission(.writeElders), update),
            APIRoute(.delete, "/v1/elders/:id", .permission(.writeElders), delete),

            APIRoute(.get, "/v1/elders/:id/contacts", .permission(.readElders), contacts),
            APIRoute(.post, "/v1/elders/:id/contacts", .permission(.writeContacts), addContact),
            APIRoute(.put, "/v1/elders/:id/contacts", .permission(.writeContacts), replaceContacts),
            APIRoute(.patch, "/v1/elders/:id/contacts/:contactId", .permission(.writeContacts), updateContact),
            APIRoute(.delete, "/v1/elders/:id/contacts/:contactId", .permission(.writeContacts), deleteContact),
        ]
    }

    /// An elder as `principal` may see them: identity numbers masked unless their role needs them.
    private func shown(_ elder: Elder, to principal: Principal) -> Elder {
        principal.allows(.viewFullNationalID) ? elder : elder.masked
    }

    // MARK: Elders

    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let body = try await env.decode(NewElderRequest.self, request)
        let elder = try body.elder.validated(now: clock.now())
        let stored = try await registry.createElder(elder, contacts: body.contacts ?? [], by: who)
        return try JSONCoding.response(shown(stored, to: who), status: .created, headers: .etag(stored.version))
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let filter = ElderFilter(
            region: env.queryText(request, "region"), category: try env.query(request, "category", as: SubsidyCategory.self),
            status: try env.query(request, "status", as: RecordStatus.self),
            livingSituation: try env.query(request, "livingSituation", as: LivingSituation.self),
            careLevel: try env.query(request, "careLevel", as: CareLevel.self), nameContains: env.queryText(request, "q"))
        let page = try await registry.elders(filter, page: try env.pageRequest(request))
        return try JSONCoding.response(Page(items: page.items.map { shown($0, to: who) }, nextCursor: page.nextCursor))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let elder = try await registry.elder(id: try env.id(context, "elder"))
        return try JSONCoding.response(shown(elder, to: who), headers: .etag(elder.version))
    }

    @Sendable func update(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let elderId = try env.id(context, "elder")
        let expected = try env.expectedVersion(request)
        let patch = try await env.decode(ElderPatch.self, request)
        let updated = try await registry.updateElder(id: elderId, expectedVersion: expected, by: who) { old, now in
            try patch.applied(to: old, now: now)
        }
        return try JSONCoding.response(shown(updated, to: who), headers: .etag(updated.version))
    }

    @Sendable func delete(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        try await registry.deleteElder(id: try env.id(context, "elder"), by: who)
        return Response(status: .noContent)
    }

    // MARK: Contacts

    @Sendable func contacts(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(try await registry.contacts(elderId: try env.id(context, "elder")))
    }

    @Sendable func addContact(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let contact = try await env.decode(NewContact.self, request)
        let stored = try await registry.addContact(elderId: try env.id(context, "elder"), contact, by: who)
        return try JSONCoding.response(stored, status: .created)
    }

    @Sendable func replaceContacts(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let list = try await env.decode([NewContact].self, request)
        return try JSONCoding.response(try await registry.replaceContacts(elderId: try env.id(context, "elder"), list, by: who))
    }

    @Sendable func updateContact(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let patch = try await env.decode(ContactPatch.self, request)
        let updated = try await registry.updateContact(
            elderId: try env.id(context, "elder"), contactId: try env.id(context, "contact", "contactId"), patch, by: who)
        return try JSONCoding.response(updated)
    }

    @Sendable func deleteContact(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        try await registry.deleteContact(
            elderId: try env.id(context, "elder"),
            contactId: try env.id(context, "contact", "contactId"), by: who)
        return Response(status: .noContent)
    }
}

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
