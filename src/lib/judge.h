/* judge.h — the validate stage: the entry rules of the config, applied.
 *
 * A candidate is judged whole whenever one of its files is ready ('validate')
 * or the config changed since it was last judged, because the rules reach
 * across files: the latest upload of a slot supersedes earlier ones, the same
 * bytes in two slots are a duplicate.  The rules, in order:
 *   1. junk is skipped before anything else (never judged, never a duplicate);
 *   2. member and archive faults found by unpack reject;
 *   3. the slot: the slot folder it was uploaded into, else a name that starts
 *      with a slot id followed by "_", "-", ".", " " or the end (any case),
 *      else slot-unknown;
 *   4. the slot's type, size and media rules, and the submission windows;
 *   5. among accepted files of a slot the latest upload wins, the others are
 *      superseded; two latest with the same upload time are slot-ambiguous;
 *   6. bytes equal to an accepted file of an earlier slot (config order) of
 *      the same candidate are a duplicate-file.
 * Every change of verdict is written to verdict_history. */
#ifndef FOLIO_JUDGE_H
#define FOLIO_JUDGE_H

#include "stage.h"

/* Judges every candidate that needs it (all of them with s->force).  Returns
 * -1 only when the stage cannot work at all; a candidate whose judging fails
 * is logged, counted and tried again on the next run. */
int judge_run(struct stage *s, struct ferr *e);

/* The slot a file's own name claims (rule 3, second part): writes the slot's
 * configured id into out, or "" when the name claims none.  Cannot fail. */
void judge_slot_from_name(const struct entry_rule *er, const char *source_path, char *out,
			  size_t outsz);

#endif
