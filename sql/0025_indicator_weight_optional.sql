-- 0025: an indicator may be stored without a weight.
--
-- Many report tables have no 分值 column (scoring.md §8, assumed weights):
-- the library splits each level-1 category's framework weight over its
-- indicators when no indicator has one, and says so (WEIGHT_ASSUMED).  A
-- stored project keeps what the unit wrote -- no weight -- so that every
-- evaluation assumes them again from the framework in force and reports
-- it; the column keeps its check for the weights that are written.
ALTER TABLE indicators ALTER COLUMN weight DROP NOT NULL;
