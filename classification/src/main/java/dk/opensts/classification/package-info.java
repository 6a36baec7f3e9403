/**
 * FK Klassifikation: classifications, facets and classes (KLE, handling facets, benefit catalogues,
 * message types), bitemporal, with national trees and municipal local classes, the KLE XML import
 * and a generic JSON import.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Classification")
package dk.opensts.classification;
