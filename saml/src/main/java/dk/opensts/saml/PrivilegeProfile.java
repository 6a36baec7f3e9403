package dk.opensts.saml;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The OIO basic privilege profile (OIO-BPP): a {@code PrivilegeList} of {@code PrivilegeGroup}s, each
 * scoped to a municipality ({@code urn:dk:gov:saml:cvrNumberIdentifier:<CVR>}) with one
 * {@code Privilege} (a role URI) and its {@code Constraint}s, carried base64-encoded in the
 * {@code privilegesIntermediate} attribute.
 */
public final class PrivilegeProfile {

    public static final String NAMESPACE = "http://digst.dk/oiosaml/basic_privilege_profile";
    public static final String SCOPE_PREFIX = "urn:dk:gov:saml:cvrNumberIdentifier:";
    /** The most groups read from one attribute. */
    private static final int MAX_GROUPS = 10_000;

    private PrivilegeProfile() {
    }

    public static String encode(List<PrivilegeGroup> groups) {
        Document doc = SamlXml.newDocument();
        Element list = doc.createElementNS(NAMESPACE, "bpp:PrivilegeList");
        doc.appendChild(list);
        for (PrivilegeGroup g : groups) {
            Element group = doc.createElementNS(null, "PrivilegeGroup");
            group.setAttribute("Scope", SCOPE_PREFIX + g.cvr());
            Element privilege = doc.createElementNS(null, "Privilege");
            privilege.setTextContent(g.privilege());
            group.appendChild(privilege);
            for (Map.Entry<String, String> c : g.constraints().entrySet()) {
                Element constraint = doc.createElementNS(null, "Constraint");
                constraint.setAttribute("Name", c.getKey());
                constraint.setTextContent(c.getValue());
                group.appendChild(constraint);
            }
            list.appendChild(group);
        }
        return Base64.getEncoder().encodeToString(SamlXml.serialize(doc));
    }

    /**
     * The groups of a base64 {@code PrivilegeList}. A group may hold several {@code Privilege}s; each
     * becomes a group of its own with the group's constraints. A group without a CVR scope is left out.
     */
    public static List<PrivilegeGroup> decode(String base64) {
        byte[] xml;
        try {
            xml = Base64.getMimeDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new SamlException("privilegesIntermediate is not base64");
        }
        Element list = SamlXml.parse(xml).getDocumentElement();
        if (!"PrivilegeList".equals(list.getLocalName())) {
            throw new SamlException("privilegesIntermediate holds no PrivilegeList");
        }
        List<PrivilegeGroup> out = new ArrayList<>();
        for (Node n = list.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element group) || !"PrivilegeGroup".equals(group.getLocalName())) {
                continue;
            }
            String scope = group.getAttribute("Scope");
            if (!scope.startsWith(SCOPE_PREFIX)) {
                continue;
            }
            String cvr = scope.substring(SCOPE_PREFIX.length());
            List<String> privileges = new ArrayList<>();
            Map<String, String> constraints = new LinkedHashMap<>();
            for (Node c = group.getFirstChild(); c != null; c = c.getNextSibling()) {
                if (c instanceof Element e && "Privilege".equals(e.getLocalName())) {
                    privileges.add(e.getTextContent().strip());
                } else if (c instanceof Element e && "Constraint".equals(e.getLocalName())) {
                    constraints.put(e.getAttribute("Name"), e.getTextContent().strip());
                }
            }
            for (String p : privileges) {
                out.add(new PrivilegeGroup(cvr, p, constraints));
            }
            if (out.size() > MAX_GROUPS) {
                throw new SamlException("privilegesIntermediate has too many groups");
            }
        }
        return out;
    }
}
