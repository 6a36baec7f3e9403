/**
 * The shared kernel every module stands on: the bitemporal store, the audit log, the outbox
 * events, problem+json errors, correlation ids and the security primitives.
 * <p>
 * An open module: every other module may use all of its packages (ADR 0002).
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dk.opensts.platform;
