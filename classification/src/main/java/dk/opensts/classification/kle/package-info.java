/** KLE XML reading and the synthetic KLE generator (used by the demo data and benchmarks). */
@org.springframework.modulith.NamedInterface("kle")
package dk.opensts.classification.kle;
