package dk.opensts.platform.bitemporal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DanishOrderTest {

    @Test
    void sortsLikeADanishDictionary() {
        List<String> names = java.util.Arrays.asList("Østerbro", "Aarhus", "Ærø", "Zealand", "andelsbolig", "Åby", "Århus",
                "Borgerservice", "école", "Emne 2", "Emne 10", null, "Ølstykke", "Ängelholm");
        List<String> sorted = names.stream().sorted(Comparator.comparing(DanishOrder::key)).toList();
        assertThat(sorted).containsExactly("andelsbolig", "Borgerservice", "école", "Emne 10", "Emne 2", "Zealand",
                "Ängelholm", "Ærø", "Ølstykke", "Østerbro", "Åby", "Aarhus", "Århus", null);
    }
}
