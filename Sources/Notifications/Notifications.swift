/// The outbox worker and its channels: the services that change data write outbox rows
/// in their own transactions; ``NotificationWorker`` fans each out to its recipients
/// (``NotificationPlanner``), sends on webhook, SMS gateway and push channels
/// (``NotificationChannel``) through one curl multi handle (``CurlTransport``), retries with
/// back-off (``RetryPolicy``), pauses failing channels (``CircuitBreaker``), holds non-urgent
/// messages through quiet hours (``QuietHours``) and walks emergency escalation chains.
/// See Docs/architecture.md, "Notifications".
public enum Notifications {}
