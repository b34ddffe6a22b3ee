/* folio-probe — libavformat facts: streams, codecs, measured duration.
 * Plumbing: run by 'folio run' in the order of pipeline/nightly. */
#include "measure.h"
#include "stage.h"

static const char USAGE[] =
	"usage: folio-probe --data DIR [--config FILE]\n"
	"\n"
	"Opens every media file with libavformat: streams, codecs, size, rotation, and the\n"
	"duration the packets really hold (the header is compared, not trusted).  Facts are\n"
	"kept per content: the same bytes are never probed twice.\n"
	STAGE_OPTIONS_HELP;

int main(int argc, char **argv)
{
	return stage_main("folio-probe", USAGE, argc, argv, false, measure_run);
}
