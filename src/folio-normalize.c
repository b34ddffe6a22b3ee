/* folio-normalize — accepted videos into the scorers' profile.
 *
 * Plumbing: picks every accepted video whose output is missing or was made
 * by another [profile], writes DATA/media/<candidate>/<entry>/<slot>.mp4 and
 * .jpg, and records them.  docs/normalize.md tells the whole story. */
#include <stdio.h>
#include <string.h>

#include <libavutil/log.h>

#include "log.h"
#include "normalize.h"
#include "stage.h"
#include "transcode.h"

static const char usage[] =
	"usage: folio-normalize --data DIR [--config FILE] [-j N] [--force] [-q | -v]\n"
	"\n"
	"Normalizes every accepted video not yet made with the current [profile]\n"
	"into DATA/media/<candidate>/<entry>/<slot>.mp4 (H.264 High, AAC-LC, moov\n"
	"first) with a JPEG poster beside it, and records the result in folio.db.\n"
	"\n"
	"  --data DIR     the data directory (required)\n"
	"  --config FILE  the rules (default: config/folio.conf of this tree)\n"
	"  -j, --jobs N   videos normalized at once (default: number of cores);\n"
	"                 the cores are shared out between them\n"
	"  --force        redo every accepted video, failed and held ones too\n"
	"  -q, --quiet    errors only;  -v, --verbose  also the libraries' warnings\n"
	"\n"
	"Exit status: 0 done (a video that cannot be normalized is recorded as\n"
	"normalize-failed, not an error); 1 some videos hit a system failure and\n"
	"will be retried; 2 usage; 3 config; 4 cannot run (database, data directory).\n";

int main(int argc, char **argv)
{
	struct stage s;
	struct tc_profile prof;
	struct normalize_stats st;
	struct ferr e = { 0 };
	int code = EXIT_OK;

	if (argc >= 2 && strcmp(argv[1], "--transcode-one") == 0)
		return normalize_transcode_one(argc - 2, argv + 2);	/* isolate_exec() */
	stage_start(&s, "folio-normalize", usage, argc, argv, true);
	if (s.argc != 0) {
		log_error("unexpected argument '%s' (see 'folio-normalize --help')", s.argv[0]);
		stage_end(&s);
		return EXIT_USAGE;
	}
	tc_log_install(log_level() >= 2);
	if (tc_profile_load(s.cfg, &prof, &e) != 0) {
		log_error("%s", e.msg);
		stage_end(&s);
		return EXIT_CONFIG;
	}
	if (normalize_run(&s, &prof, &st, &e) != 0) {
		log_error("%s", e.msg);
		code = EXIT_SYSTEM;
	} else {
		if (st.done + st.failed + st.system > 0)
			log_info("%d normalized (%d by stream copy, %d kept), %d failed, %d system"
				 " failures; %.0f s of video in %.1f s", st.done, st.copied,
				 st.reused, st.failed, st.system, st.media_s, st.wall_s);
		code = stage_finish(&s);
	}
	stage_end(&s);
	return code;
}
