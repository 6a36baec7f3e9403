package dk.opensts.platform.registry;

import tools.jackson.databind.node.ObjectNode;

/** An answer of a registry write: status, location of the object, body and version (for ETag). */
public record ApiResponse(int status, String location, ObjectNode body, int version) {
}
