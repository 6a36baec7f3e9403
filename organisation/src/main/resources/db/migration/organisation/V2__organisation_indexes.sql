-- Organisation keeps its objects in the bitemporal store (V1). A CVR names one organisation.
CREATE UNIQUE INDEX organisation_cvr_current ON ${flyway:defaultSchema}.object_version (user_key)
  WHERE type = 'organisation' AND upper_inf(sys) AND upper_inf(valid);
