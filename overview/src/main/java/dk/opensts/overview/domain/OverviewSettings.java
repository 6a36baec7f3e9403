package dk.opensts.overview.domain;

import java.util.Set;

/**
 * @param purposeRequired the municipalities (CVR) whose caseworkers state a purpose for each search;
 *                        {@code *} all of them
 * @param pageSize        cases on a page
 */
public record OverviewSettings(Set<String> purposeRequired, int pageSize) {

    public boolean purposeRequired(String cvr) {
        return purposeRequired.contains("*") || purposeRequired.contains(cvr);
    }
}
