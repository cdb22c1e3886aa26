/// The outbox worker and its channels (issue 7). See Docs/architecture.md.
public enum Notifications {}
