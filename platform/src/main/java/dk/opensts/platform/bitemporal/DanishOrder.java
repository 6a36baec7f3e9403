package dk.opensts.platform.bitemporal;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Sort keys for Danish alphabetical order that compare with {@link String#compareTo}: letters
 * without regard to case or accents, then æ, ø, å after z (with ä, ö and the old spelling "aa"
 * taken as æ, ø and å), digits before letters. Costs a fraction of a {@link java.text.Collator}
 * key, which matters when thousands of tree nodes are sorted per read.
 */
public final class DanishOrder {

    private DanishOrder() {
    }

    public static String key(String name) {
        if (name == null) {
            return "\uffff"; // nameless last
        }
        String s = name.toLowerCase(Locale.ROOT).replace("aa", "å");
        StringBuilder key = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case 'æ', 'ä' -> key.append('{');
                case 'ø', 'ö' -> key.append('|');
                case 'å' -> key.append('}');
                default -> {
                    if (c < 0x80) {
                        key.append(c);
                    } else {
                        // é -> e, ü -> u ...: the base letter of a decomposed character
                        String base = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD);
                        key.append(base.charAt(0));
                    }
                }
            }
        }
        return key.toString();
    }
}
