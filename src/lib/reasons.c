#include "reasons.h"

#include <string.h>

static const struct reason TABLE[] = {
	{ "archive-path-traversal", false,
	  "A file in your archive has a name that points outside the archive's folder (it contains \"..\"), so it was not unpacked.",
	  "Create the archive again from the folder that holds your files, or upload the files one by one." },
	{ "archive-absolute-path", false,
	  "A file in your archive has an absolute path (it starts with \"/\", \"\\\" or a drive letter such as \"C:\"), so it was not unpacked.",
	  "Create the archive again from the folder that holds your files, or upload the files one by one." },
	{ "archive-link", false,
	  "An item in your archive is a link (shortcut) rather than a real file, so it was not unpacked.",
	  "Put the actual file in the archive instead of a shortcut to it, or upload the file itself." },
	{ "archive-special-file", false,
	  "An item in your archive is not an ordinary file (a device, pipe or similar), so it was not unpacked.",
	  "Include only your documents and video files in the archive." },
	{ "archive-duplicate-member", false,
	  "Your archive holds two files with the same name; only the first one was used.",
	  "Give each file in the archive its own name and upload the archive again." },
	{ "archive-encrypted", false,
	  "Your archive, or a file inside it, is protected by a password, so it could not be opened.",
	  "Upload the archive again without a password." },
	{ "archive-multi-volume", false,
	  "This is one part of an archive split into several pieces, which cannot be opened on its own.",
	  "Create a single archive (not split into parts), or upload the files one by one." },
	{ "archive-corrupt", false,
	  "Your archive is damaged or incomplete (the upload may have been interrupted), so none of its files were used.",
	  "Create the archive again and upload it once more; check that the upload finishes." },
	{ "archive-bomb", false,
	  "Your archive expands to far more data than it contains, beyond what we accept, so it was not unpacked.",
	  "Upload your files directly, or in an ordinary archive of your own files." },
	{ "archive-too-many-members", false,
	  "Your archive holds more files than we accept in one upload, so it was not unpacked.",
	  "Upload only the files of your entry, in fewer or smaller archives." },
	{ "archive-nested-too-deep", false,
	  "This archive sits inside an archive inside another archive; we open only two levels, so it was not unpacked.",
	  "Upload the files directly, or in a single archive that holds them." },
	{ "archive-empty", false,
	  "Your archive contains no files.",
	  "Check that you added your files to the archive, then upload it again." },
	{ "junk-file", false,
	  "This is a system file your computer added (not part of your entry); it was ignored.",
	  "Nothing to do." },
	{ "name-repaired", true,
	  "The file's name was stored in an old character encoding, or held characters a name cannot show (such as a line break); we converted it to read correctly.",
	  "Nothing to do; if the name looks wrong, rename the file and upload it again." },
	{ "empty-file", false,
	  "The file is empty (0 bytes); the upload may not have finished.",
	  "Upload the file again and wait until the upload completes." },
	{ "file-too-large", false,
	  "The file is larger than this slot allows.",
	  "Reduce the file's size (for a video, export it at a lower resolution) and upload it again." },
	{ "type-not-allowed", false,
	  "This kind of file is not accepted in this slot.",
	  "Save or export the file in the format the slot asks for (for the written commentary: PDF) and upload it again." },
	{ "extension-mismatch", true,
	  "The file's name ends in an extension that does not match its real content.",
	  "Nothing to do; we used the file by its content." },
	{ "media-corrupt", false,
	  "The video or audio file is damaged or incomplete (the upload may have been cut off), so it cannot be played.",
	  "Check that the file plays on your device, then upload it again and wait until the upload completes." },
	{ "no-video-stream", false,
	  "The file has no picture: it holds only sound.",
	  "Upload the video recording itself, with both picture and sound." },
	{ "no-audio-stream", false,
	  "The video has no sound.",
	  "Upload a recording with sound; check that the microphone was on and the export kept the audio." },
	{ "duration-too-short", false,
	  "The video is shorter than this slot requires.",
	  "Upload a recording that meets the slot's minimum length." },
	{ "duration-too-long", false,
	  "The video is longer than this slot allows.",
	  "Trim the start or the end to bring it within the limit (cuts inside the recording are not allowed), then upload it again." },
	{ "duration-header-mismatch", true,
	  "The video's header states a different length from what the file really holds; we used the real length.",
	  "Nothing to do." },
	{ "document-encrypted", false,
	  "The document is protected by a password, so scorers could not open it.",
	  "Save the document again without a password and upload it." },
	{ "duplicate-file", false,
	  "This file is identical to one you uploaded for another slot; each slot needs its own recording.",
	  "Upload the right recording for this slot." },
	{ "slot-unknown", false,
	  "We could not tell which part of the entry this file is for.",
	  "Upload it into the right slot, or start its name with the slot (for example \"V2_\" or \"W1_\")." },
	{ "slot-ambiguous", false,
	  "Two files for the same slot arrived at the same moment, so we cannot tell which one you meant.",
	  "Upload the one you want scored for this slot again, on its own." },
	{ "late-upload", false,
	  "The file arrived outside the submission window: before it opened or after it closed.",
	  "Only files uploaded within the submission window can be scored; contact the program office if you believe this is wrong." },
	{ "audio-silent", true,
	  "The video's sound track is silent throughout.",
	  "Check that the microphone was on; if the recording really has sound, upload it again." },
	{ "normalize-failed", true,
	  "We could not yet convert this video for scorers; our staff will look into it.",
	  "Nothing to do for now; we will contact you if a new upload is needed." },
	{ NULL, false, NULL, NULL },
};

const struct reason *reason_table(void) { return TABLE; }

const struct reason *reason_find(const char *code)
{
	for (const struct reason *r = TABLE; r->code; r++)
		if (strcmp(r->code, code) == 0)
			return r;
	return NULL;
}

void reasons_init(struct reasons *r) { r->buf[0] = '\0'; }

bool reasons_list_has(const char *list, const char *code)
{
	size_t n = strlen(code);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, code, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

bool reasons_has(const struct reasons *r, const char *code)
{
	return reasons_list_has(r->buf, code);
}

void reasons_add(struct reasons *r, const char *code)
{
	size_t have = strlen(r->buf), n = strlen(code);

	if (n == 0 || reasons_has(r, code) || have + n + 2 > sizeof r->buf)
		return;
	if (have)
		r->buf[have++] = ',';
	memcpy(r->buf + have, code, n + 1);
}

void reasons_add_list(struct reasons *r, const char *list)
{
	char code[64];
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 0 && len < sizeof code) {
			memcpy(code, p, len);
			code[len] = '\0';
			reasons_add(r, code);
		}
		p = end ? end + 1 : NULL;
	}
}

bool reasons_rejects(const struct reasons *r)
{
	const char *p = r->buf;
	char code[64];

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const struct reason *rs;
		if (len < sizeof code) {
			memcpy(code, p, len);
			code[len] = '\0';
			rs = reason_find(code);
			if (rs == NULL || !rs->warning)
				return true;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}
