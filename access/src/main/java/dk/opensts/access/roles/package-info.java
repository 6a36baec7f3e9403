/**
 * The role catalogue: user-facing systems and their system roles, municipal job roles and their
 * assignments, and what a user holds in a system. Other modules use it to register their own
 * user-facing systems and to read privilege groups.
 */
@org.springframework.modulith.NamedInterface("roles")
package dk.opensts.access.roles;
