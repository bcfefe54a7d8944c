/*
 * pdf_layout.c
 *		The layout engine of the PDFs: any Doc (pdf_doc.h) flowed onto A4
 *		pages with libharu and an embedded DejaVu Sans (every currency
 *		symbol): wrapping, page breaks that repeat a table's header, totals
 *		kept whole, "Page N of M".
 *
 * libharu allocates with malloc and reports errors through a callback, which
 * here only records the first error: the code checks the record after using
 * libharu and raises the PostgreSQL error itself, so no longjmp ever crosses
 * libharu, and PG_FINALLY frees the document on every path.
 */
#include "postgres.h"

#include <math.h>
#include <unistd.h>

#include <hpdf.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pdf.h"
#include "pdf_doc.h"
#include "utils/memutils.h"

/* Debian's fonts-dejavu-core: Unicode TrueType fonts with ₹, €, £ and the rest. */
#define FONT_REGULAR	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD		"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

/* A4 portrait, in points. */
#define PAGE_WIDTH		595.276f
#define PAGE_HEIGHT		841.89f
#define MARGIN			40.0f
#define LEFT_EDGE		MARGIN
#define RIGHT_EDGE		(PAGE_WIDTH - MARGIN)
#define CONTENT_WIDTH	(RIGHT_EDGE - LEFT_EDGE)
#define CONTENT_TOP		(PAGE_HEIGHT - MARGIN)
#define CONTENT_BOTTOM	56.0f		/* the footer lives below */
#define CONTINUED_TOP	(CONTENT_TOP - 9 * LEADING - 6 - BLOCK_GAP) /* below a later page's head */
#define FOOTER_BASELINE 30.0f

#define BODY_SIZE		8.5f
#define TABLE_SIZE		8.0f
#define LEADING			1.25f		/* line height / font size */
#define CELL_PAD_X		4.0f
#define CELL_PAD_Y		3.0f
#define BLOCK_GAP		14.0f

/* A wrapped cell stops here, with an ellipsis: a row is never taller than a page. */
#define CELL_MAX_LINES	20

static const Rgb INK = {0.12f, 0.12f, 0.14f};
static const Rgb MUTED = {0.40f, 0.40f, 0.44f};
static const Rgb RULE = {0.72f, 0.72f, 0.75f};
static const Rgb HEADER_FILL = {0.91f, 0.92f, 0.94f};
static const Rgb ZEBRA_FILL = {0.965f, 0.967f, 0.975f};
static const Rgb DUE_FILL = {0.90f, 0.93f, 0.97f};
static const Rgb WATERMARK = {0.90f, 0.90f, 0.90f};

/* ---------------------------------------------------------------------------
 * Layout: any Doc onto A4 pages.
 */

typedef struct HpdfStatus
{
	HPDF_STATUS error_no;
	HPDF_STATUS detail_no;
} HpdfStatus;

/*
 * libharu's error callback: remember the first error and return, so libharu
 * unwinds by itself (a longjmp from here would skip its cleanup).
 */
static void
hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	HpdfStatus *status = (HpdfStatus *) user_data;

	if (status->error_no == HPDF_OK)
	{
		status->error_no = error_no;
		status->detail_no = detail_no;
	}
}

/* Raise the error libharu reported, if any: from our code, never from inside libharu. */
static void
hpdf_check(const HpdfStatus *status)
{
	if (status->error_no == HPDF_OK)
		return;
	if (status->error_no == HPDF_FAILD_TO_ALLOC_MEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("libharu could not allocate memory for a PDF.")));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not render PDF: libharu error 0x%04lX (detail %lu)",
					(unsigned long) status->error_no, (unsigned long) status->detail_no)));
}

typedef struct Layout
{
	HPDF_Doc	pdf;
	const HpdfStatus *status;
	HPDF_Font	regular;
	HPDF_Font	bold;
	const Doc  *doc;
	List	   *pages;			/* every page so far, for the footers */
	HPDF_Page	page;
	float		y;				/* top of the free space on the page */
} Layout;

/*
 * The width of len bytes of UTF-8 text, measured in pieces that end on a
 * character: libharu refuses to measure more than 65,535 bytes at once
 * (HPDF_STRING_OUT_OF_RANGE), and widths add up.
 */
#define TEXT_WIDTH_PIECE 16384

static float
text_width(HPDF_Font font, float size, const char *s, int len)
{
	float		width = 0;

	while (len > 0)
	{
		int			n = Min(len, TEXT_WIDTH_PIECE);

		while (n < len && n > 1 && ((unsigned char) s[n] & 0xC0) == 0x80)
			n--;
		width += HPDF_Font_TextWidth(font, (const HPDF_BYTE *) s, n).width;
		s += n;
		len -= n;
	}
	return width * size / 1000.0f;
}

/* The baseline of a line of text whose line box starts at top. */
static float
baseline(float top, float size)
{
	return top - size * 0.95f;
}

/* One line of text; x is its left edge, or its right edge when right-aligned. */
static void
draw_text(Layout *lo, HPDF_Font font, float size, Rgb color, float x, float y, const char *s, Align align)
{
	if (align == ALIGN_RIGHT)
		x -= text_width(font, size, s, strlen(s));
	HPDF_Page_SetRGBFill(lo->page, color.r, color.g, color.b);
	HPDF_Page_BeginText(lo->page);
	HPDF_Page_SetFontAndSize(lo->page, font, size);
	HPDF_Page_TextOut(lo->page, x, y, s);
	HPDF_Page_EndText(lo->page);
}

/* The font size at which a single line fits width: figures shrink, they are never cut. */
static float
fit_size(HPDF_Font font, float size, float width, const char *s)
{
	float		w = text_width(font, size, s, strlen(s));

	return w > width ? size * width / w : size;
}

static void
fill_rect(Layout *lo, Rgb color, float x, float y, float w, float h)
{
	HPDF_Page_SetRGBFill(lo->page, color.r, color.g, color.b);
	HPDF_Page_Rectangle(lo->page, x, y, w, h);
	HPDF_Page_Fill(lo->page);
}

static void
draw_rule(Layout *lo, Rgb color, float width, float x0, float x1, float y)
{
	HPDF_Page_SetRGBStroke(lo->page, color.r, color.g, color.b);
	HPDF_Page_SetLineWidth(lo->page, width);
	HPDF_Page_MoveTo(lo->page, x0, y);
	HPDF_Page_LineTo(lo->page, x1, y);
	HPDF_Page_Stroke(lo->page);
}

/*
 * Break text into lines no wider than width: at spaces, inside a word only
 * when the word alone is too wide; a newline always breaks.  Past max_lines
 * the last line ends in an ellipsis, so a table cell never outgrows a page
 * (the JSON API has the whole text).
 */
static List *
wrap_text(HPDF_Font font, float size, float width, const char *text, int max_lines)
{
	List	   *lines = NIL;
	float		space = text_width(font, size, " ", 1);
	const char *p = text;

	for (;;)
	{
		const char *end = p + strcspn(p, "\n");
		StringInfoData line;
		float		line_width = 0;

		initStringInfo(&line);
		while (p < end && list_length(lines) <= max_lines)
		{
			const char *word;
			int			word_len;
			float		word_width;

			while (p < end && *p == ' ')
				p++;
			if (p == end)
				break;
			word = p;
			while (p < end && *p != ' ')
				p++;
			word_len = p - word;
			word_width = text_width(font, size, word, word_len);
			if (line.len > 0 && line_width + space + word_width <= width)
			{
				appendStringInfoChar(&line, ' ');
				appendBinaryStringInfo(&line, word, word_len);
				line_width += space + word_width;
				continue;
			}
			if (line.len > 0)
			{
				lines = lappend(lines, line.data);
				initStringInfo(&line);
			}
			/*
			 * A word wider than a line (an identifier, an address) is cut
			 * after the last punctuation that fits, else where it overflows;
			 * at least one character a line.
			 */
			while (word_width > width && list_length(lines) <= max_lines)
			{
				int			fit = 0;
				int			cut = 0;
				float		fit_width = 0;

				while (fit < word_len)
				{
					int			n = pg_utf_mblen((const unsigned char *) word + fit);
					float		w = text_width(font, size, word + fit, n);

					if (fit > 0 && fit_width + w > width)
						break;
					fit_width += w;
					fit += n;
					if (n == 1 && strchr("-_./:@,", word[fit - 1]) != NULL)
						cut = fit;
				}
				if (cut > 0 && fit < word_len)
					fit = cut;
				lines = lappend(lines, pnstrdup(word, fit));
				word += fit;
				word_len -= fit;
				word_width = text_width(font, size, word, word_len);
			}
			appendBinaryStringInfo(&line, word, word_len);
			line_width = word_width;
		}
		lines = lappend(lines, line.data);
		if (*end == '\0' || list_length(lines) > max_lines)
			break;
		p = end + 1;
	}

	if (list_length(lines) > max_lines)
	{
		const char *ellipsis = ELLIPSIS;
		float		ellipsis_width = text_width(font, size, ellipsis, strlen(ellipsis));
		StringInfoData last;

		lines = list_truncate(lines, max_lines);
		initStringInfo(&last);
		appendStringInfoString(&last, llast(lines));
		while (last.len > 0 && text_width(font, size, last.data, last.len) + ellipsis_width > width)
		{
			last.len--;
			while (last.len > 0 && ((unsigned char) last.data[last.len] & 0xC0) == 0x80)
				last.len--;
			last.data[last.len] = '\0';
		}
		appendStringInfoString(&last, ellipsis);
		llast(lines) = last.data;
	}
	return lines;
}

/* Lines of text from top down; returns the top of what follows. */
static float
draw_lines(Layout *lo, HPDF_Font font, float size, Rgb color, float x, float top, List *lines)
{
	ListCell   *lc;

	foreach(lc, lines)
	{
		draw_text(lo, font, size, color, x, baseline(top, size), lfirst(lc), ALIGN_LEFT);
		top -= size * LEADING;
	}
	return top;
}

static float
draw_paragraph(Layout *lo, HPDF_Font font, float size, Rgb color, float x, float top, float width,
			   const char *text, int max_lines)
{
	if (text == NULL)
		return top;
	return draw_lines(lo, font, size, color, x, top, wrap_text(font, size, width, text, max_lines));
}

/* DRAFT across the page, drawn first so that everything else prints over it. */
static void
draw_watermark(Layout *lo)
{
	const char *word = "DRAFT";
	float		size = 130;
	float		angle = (float) M_PI / 4;
	float		c = cosf(angle);
	float		s = sinf(angle);
	float		half = text_width(lo->bold, size, word, strlen(word)) / 2;
	float		rise = size * 0.36f;	/* half the height of capitals */

	HPDF_Page_SetRGBFill(lo->page, WATERMARK.r, WATERMARK.g, WATERMARK.b);
	HPDF_Page_BeginText(lo->page);
	HPDF_Page_SetFontAndSize(lo->page, lo->bold, size);
	HPDF_Page_SetTextMatrix(lo->page, c, s, -s, c,
							PAGE_WIDTH / 2 - half * c + rise * s,
							PAGE_HEIGHT / 2 - half * s - rise * c);
	HPDF_Page_ShowText(lo->page, word);
	HPDF_Page_EndText(lo->page);
}

#define STAMP_ANGLE			((float) (10 * M_PI / 180))
#define STAMP_WORD_SIZE		16.0f
#define STAMP_DETAIL_SIZE	7.5f

/* The stamp's box before it is turned: its word (and date) with a margin. */
static void
stamp_box(const Layout *lo, float *w, float *h)
{
	const Doc  *doc = lo->doc;

	*w = text_width(lo->bold, STAMP_WORD_SIZE, doc->stamp, strlen(doc->stamp));
	if (doc->stamp_detail)
		*w = Max(*w, text_width(lo->bold, STAMP_DETAIL_SIZE, doc->stamp_detail, strlen(doc->stamp_detail)));
	*w += 20;
	*h = doc->stamp_detail ? 38 : 28;
}

/* The width of the upright rectangle the turned stamp takes. */
static float
stamp_extent(const Layout *lo)
{
	float		w,
				h;

	stamp_box(lo, &w, &h);
	return w * cosf(STAMP_ANGLE) + h * sinf(STAMP_ANGLE);
}

/* A rubber stamp, a little askew, in the upright rectangle whose top right is (right, top); returns its bottom. */
static float
draw_stamp(Layout *lo, float right, float top)
{
	const Doc  *doc = lo->doc;
	float		c = cosf(STAMP_ANGLE);
	float		s = sinf(STAMP_ANGLE);
	float		w,
				h;
	float		half_w;
	float		half_h;

	stamp_box(lo, &w, &h);
	half_w = (w * c + h * s) / 2;
	half_h = (h * c + w * s) / 2;

	HPDF_Page_GSave(lo->page);
	HPDF_Page_Concat(lo->page, c, s, -s, c, right - half_w, top - half_h);
	HPDF_Page_SetRGBStroke(lo->page, doc->stamp_color.r, doc->stamp_color.g, doc->stamp_color.b);
	HPDF_Page_SetLineWidth(lo->page, 1.8f);
	HPDF_Page_Rectangle(lo->page, -w / 2, -h / 2, w, h);
	HPDF_Page_Stroke(lo->page);
	HPDF_Page_SetLineWidth(lo->page, 0.6f);
	HPDF_Page_Rectangle(lo->page, -w / 2 + 2.5f, -h / 2 + 2.5f, w - 5, h - 5);
	HPDF_Page_Stroke(lo->page);
	draw_text(lo, lo->bold, STAMP_WORD_SIZE, doc->stamp_color,
			  -text_width(lo->bold, STAMP_WORD_SIZE, doc->stamp, strlen(doc->stamp)) / 2,
			  doc->stamp_detail ? 0 : -STAMP_WORD_SIZE * 0.36f, doc->stamp, ALIGN_LEFT);
	if (doc->stamp_detail)
		draw_text(lo, lo->bold, STAMP_DETAIL_SIZE, doc->stamp_color,
				  -text_width(lo->bold, STAMP_DETAIL_SIZE, doc->stamp_detail, strlen(doc->stamp_detail)) / 2,
				  -h / 2 + 7, doc->stamp_detail, ALIGN_LEFT);
	HPDF_Page_GRestore(lo->page);
	return top - 2 * half_h;
}

/*
 * The first page's head: supplier and title, then side by side the
 * customer, the dates and status (labels as wide as the widest), and the
 * stamp at the right margin.
 */
static void
draw_first_head(Layout *lo)
{
	const Doc  *doc = lo->doc;
	float		top = CONTENT_TOP;
	float		value_width = 125;
	float		label_width = 0;
	float		meta_right = doc->stamp ? RIGHT_EDGE - stamp_extent(lo) - 14 : RIGHT_EDGE;
	float		meta_x;
	float		party_width;
	float		left;
	float		right;
	float		row;
	float		party;
	float		meta;
	float		stamp;
	ListCell   *lc;

	foreach(lc, doc->meta)
	{
		DocPair    *p = lfirst(lc);

		label_width = Max(label_width, text_width(lo->regular, BODY_SIZE, p->label, strlen(p->label)) + 8);
	}
	meta_x = meta_right - label_width - value_width;
	party_width = meta_x - LEFT_EDGE - 14;

	left = draw_paragraph(lo, lo->bold, 13, INK, LEFT_EDGE, top, 300, doc->supplier_name, 3);
	left = draw_paragraph(lo, lo->regular, BODY_SIZE, MUTED, LEFT_EDGE, left - 2, 300, doc->supplier_details, 8);
	draw_text(lo, lo->bold, 20, INK, RIGHT_EDGE, baseline(top, 20), doc->title, ALIGN_RIGHT);
	draw_text(lo, lo->bold, 10, INK, RIGHT_EDGE, baseline(top - 27, 10), doc->number, ALIGN_RIGHT);
	right = top - 27 - 10 * LEADING;

	row = Min(left, right) - 20;
	draw_text(lo, lo->bold, 7, MUTED, LEFT_EDGE, baseline(row, 7), doc->party_heading, ALIGN_LEFT);
	party = draw_paragraph(lo, lo->bold, 10, INK, LEFT_EDGE, row - 7 * LEADING - 2, party_width, doc->party_name, 3);
	party = draw_paragraph(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, party - 1, party_width, doc->party_details, 8);

	meta = row;
	foreach(lc, doc->meta)
	{
		DocPair    *p = lfirst(lc);

		draw_text(lo, lo->regular, BODY_SIZE, MUTED, meta_x, baseline(meta, BODY_SIZE), p->label, ALIGN_LEFT);
		meta = draw_paragraph(lo, lo->regular, BODY_SIZE, INK, meta_x + label_width, meta, value_width,
							  p->value ? p->value : "\xE2\x80\x94", 2) - 2;
	}

	stamp = doc->stamp ? draw_stamp(lo, RIGHT_EDGE, row + 2) : row;

	lo->y = Min(Min(party, meta), stamp) - 12;
	draw_rule(lo, RULE, 0.6f, LEFT_EDGE, RIGHT_EDGE, lo->y);
	lo->y -= BLOCK_GAP;
}

/* The head of every later page: who, and which document. */
static void
draw_continued_head(Layout *lo)
{
	const Doc  *doc = lo->doc;
	float		top = CONTENT_TOP;
	char	   *which = psprintf("%s %s (continued)", doc->title, doc->number);
	float		which_width = text_width(lo->regular, 9, which, strlen(which));

	draw_lines(lo, lo->bold, 9, INK, LEFT_EDGE, top,
			   wrap_text(lo->bold, 9, CONTENT_WIDTH - which_width - 20, doc->supplier_name, 1));
	draw_text(lo, lo->regular, 9, MUTED, RIGHT_EDGE, baseline(top, 9), which, ALIGN_RIGHT);
	draw_rule(lo, RULE, 0.6f, LEFT_EDGE, RIGHT_EDGE, CONTINUED_TOP + BLOCK_GAP);
	lo->y = CONTINUED_TOP;
}

static void
new_page(Layout *lo)
{
	HPDF_Page	page = HPDF_AddPage(lo->pdf);

	hpdf_check(lo->status);
	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	lo->page = page;
	lo->pages = lappend(lo->pages, page);
	if (lo->doc->draft)
		draw_watermark(lo);
	if (list_length(lo->pages) == 1)
		draw_first_head(lo);
	else
		draw_continued_head(lo);
}

/* Where each column of a table starts and how wide it is. */
static void
column_geometry(const DocTable *t, float *x, float *w)
{
	float		fixed = 0;
	float		at = LEFT_EDGE;

	for (int c = 0; c < t->ncolumns; c++)
		fixed += t->columns[c].width;
	for (int c = 0; c < t->ncolumns; c++)
	{
		w[c] = t->columns[c].width > 0 ? t->columns[c].width : CONTENT_WIDTH - fixed;
		x[c] = at;
		at += w[c];
	}
}

typedef struct RowLines
{
	List	   *lines[DOC_MAX_COLUMNS];
	float		height;
} RowLines;

static RowLines
row_lines(const DocTable *t, const float *w, char *const *cells, HPDF_Font font)
{
	RowLines	rl;
	int			most = 1;

	for (int c = 0; c < t->ncolumns; c++)
	{
		if (cells[c] == NULL)
			rl.lines[c] = NIL;
		else if (t->columns[c].align == ALIGN_RIGHT)
			rl.lines[c] = list_make1(cells[c]);
		else
			rl.lines[c] = wrap_text(font, TABLE_SIZE, w[c] - 2 * CELL_PAD_X, cells[c], CELL_MAX_LINES);
		most = Max(most, list_length(rl.lines[c]));
	}
	rl.height = most * TABLE_SIZE * LEADING + 2 * CELL_PAD_Y;
	return rl;
}

static void
draw_row(Layout *lo, const DocTable *t, const float *x, const float *w, const RowLines *rl, HPDF_Font font)
{
	for (int c = 0; c < t->ncolumns; c++)
	{
		float		top = lo->y - CELL_PAD_Y;
		ListCell   *lc;

		foreach(lc, rl->lines[c])
		{
			const char *s = lfirst(lc);

			if (t->columns[c].align == ALIGN_RIGHT)
				draw_text(lo, font, fit_size(font, TABLE_SIZE, w[c] - 2 * CELL_PAD_X, s), INK,
						  x[c] + w[c] - CELL_PAD_X, baseline(top, TABLE_SIZE), s, ALIGN_RIGHT);
			else
				draw_text(lo, font, TABLE_SIZE, INK, x[c] + CELL_PAD_X, baseline(top, TABLE_SIZE), s, ALIGN_LEFT);
			top -= TABLE_SIZE * LEADING;
		}
	}
	lo->y -= rl->height;
}

static void
draw_table_header(Layout *lo, const DocTable *t, const float *x, const float *w, const RowLines *header)
{
	fill_rect(lo, HEADER_FILL, LEFT_EDGE, lo->y - header->height, CONTENT_WIDTH, header->height);
	draw_row(lo, t, x, w, header, lo->bold);
}

static float
totals_row_height(const DocPair *p)
{
	return (p->emphasis == EMPHASIS_DUE ? 10 : BODY_SIZE) * LEADING + 2 * CELL_PAD_Y;
}

#define TOTALS_WIDTH		270.0f
#define TOTALS_VALUE_WIDTH	110.0f
#define SIDE_NOTE_WIDTH		(CONTENT_WIDTH - TOTALS_WIDTH - 24)

/* The lines of the note beside the totals. */
static List *
side_note_lines(const Layout *lo, const DocBlock *b)
{
	return b->text ? wrap_text(lo->regular, BODY_SIZE, SIDE_NOTE_WIDTH, b->text, 30) : NIL;
}

static float
totals_height(const Layout *lo, const DocBlock *b)
{
	float		height = 0;
	ListCell   *lc;

	foreach(lc, b->pairs)
		height += totals_row_height(lfirst(lc));
	return Max(height, list_length(side_note_lines(lo, b)) * BODY_SIZE * LEADING + CELL_PAD_Y);
}

/* Rows of a table that go to the next page with the totals rather than leave them alone there. */
#define KEEP_WITH_TOTALS 3

/*
 * A table, breaking between rows (never inside one) and repeating its header
 * on every page it reaches; its heading, header and first row stay together.
 * keep_with is the height of the totals that follow (0 if none): when they
 * would not fit after the last row, the last rows move to the next page with
 * them, so that the totals never stand alone on a page.
 */
static void
draw_table(Layout *lo, const DocTable *t, float keep_with)
{
	float		x[DOC_MAX_COLUMNS];
	float		w[DOC_MAX_COLUMNS];
	char	   *titles[DOC_MAX_COLUMNS];
	float		heading_height = t->heading ? 10 * LEADING + 3 : 0;
	int			nrows = list_length(t->rows);
	RowLines   *rows = palloc(Max(nrows, 1) * sizeof(RowLines));
	RowLines	header;
	int			keep_from = keep_with > 0 ? Max(nrows - KEEP_WITH_TOTALS, 0) : nrows;
	float		tail_height = keep_with > 0 ? keep_with + BLOCK_GAP : 0;
	float		need;

	column_geometry(t, x, w);
	for (int c = 0; c < t->ncolumns; c++)
		titles[c] = (char *) t->columns[c].title;
	header = row_lines(t, w, titles, lo->bold);
	for (int i = 0; i < nrows; i++)
	{
		rows[i] = row_lines(t, w, list_nth(t->rows, i), lo->regular);
		if (i >= keep_from)
			tail_height += rows[i].height;
	}
	/* a tail taller than a fresh page cannot be kept together: let it break */
	if (CONTINUED_TOP - header.height - tail_height < CONTENT_BOTTOM)
		keep_from = nrows;

	need = heading_height + header.height + (keep_from == 0 ? tail_height : nrows > 0 ? rows[0].height : 0);
	if (lo->y - need < CONTENT_BOTTOM)
		new_page(lo);
	if (t->heading)
	{
		draw_text(lo, lo->bold, 10, INK, LEFT_EDGE, baseline(lo->y, 10), t->heading, ALIGN_LEFT);
		lo->y -= heading_height;
	}
	draw_table_header(lo, t, x, w, &header);
	for (int i = 0; i < nrows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (lo->y - rows[i].height < CONTENT_BOTTOM ||
			(i == keep_from && i > 0 && lo->y - tail_height < CONTENT_BOTTOM))
		{
			new_page(lo);
			draw_table_header(lo, t, x, w, &header);
		}
		if (i % 2 == 1)
			fill_rect(lo, ZEBRA_FILL, LEFT_EDGE, lo->y - rows[i].height, CONTENT_WIDTH, rows[i].height);
		draw_row(lo, t, x, w, &rows[i], lo->regular);
	}
	draw_rule(lo, RULE, 0.6f, LEFT_EDGE, RIGHT_EDGE, lo->y);
	lo->y -= BLOCK_GAP;
}

/*
 * Label/value rows at the right, values under the tables' amount column, and
 * beside them on the left the note that says what to do; never split.
 */
static void
draw_totals(Layout *lo, const DocBlock *b)
{
	float		left = RIGHT_EDGE - TOTALS_WIDTH;
	float		label_right = RIGHT_EDGE - TOTALS_VALUE_WIDTH;
	float		height = totals_height(lo, b);
	float		top;
	ListCell   *lc;

	if (lo->y - height < CONTENT_BOTTOM)
		new_page(lo);
	top = lo->y;
	draw_lines(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, top - CELL_PAD_Y, side_note_lines(lo, b));
	foreach(lc, b->pairs)
	{
		DocPair    *p = lfirst(lc);
		float		size = p->emphasis == EMPHASIS_DUE ? 10 : BODY_SIZE;
		HPDF_Font	font = p->emphasis == EMPHASIS_NONE ? lo->regular : lo->bold;
		float		h = totals_row_height(p);
		float		y = baseline(lo->y - CELL_PAD_Y, size);

		if (p->emphasis == EMPHASIS_TOTAL)
			draw_rule(lo, INK, 0.8f, left, RIGHT_EDGE, lo->y);
		if (p->emphasis == EMPHASIS_DUE)
			fill_rect(lo, DUE_FILL, left, lo->y - h, TOTALS_WIDTH, h);
		draw_text(lo, font, fit_size(font, size, label_right - left - 2 * CELL_PAD_X, p->label), INK,
				  label_right - CELL_PAD_X, y, p->label, ALIGN_RIGHT);
		draw_text(lo, font, fit_size(font, size, TOTALS_VALUE_WIDTH - 2 * CELL_PAD_X, p->value), INK,
				  RIGHT_EDGE - CELL_PAD_X, y, p->value, ALIGN_RIGHT);
		lo->y -= h;
	}
	lo->y = top - height - BLOCK_GAP;
}

/* A paragraph across the page, kept on one page. */
static void
draw_note(Layout *lo, const char *text)
{
	List	   *lines = wrap_text(lo->regular, BODY_SIZE, CONTENT_WIDTH, text, 40);

	if (lo->y - list_length(lines) * BODY_SIZE * LEADING < CONTENT_BOTTOM)
		new_page(lo);
	lo->y = draw_lines(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, lo->y, lines) - BLOCK_GAP;
}

/* The e-invoice's registration on the left, its signed QR code on the right, kept on one page. */
static void
draw_einvoice(Layout *lo, const char *text, const char *qr)
{
	List	   *lines = wrap_text(lo->regular, BODY_SIZE, CONTENT_WIDTH - PDF_QR_SIZE - 14, text, 8);

	if (lo->y - PDF_QR_SIZE < CONTENT_BOTTOM)
		new_page(lo);
	(void) draw_lines(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, lo->y, lines);
	pdf_draw_qr(lo->page, qr, RIGHT_EDGE - PDF_QR_SIZE, lo->y, PDF_QR_SIZE);
	lo->y -= PDF_QR_SIZE + BLOCK_GAP;
}

/* "Page N of M" and the document's name at the foot of every page, once M is known. */
static void
draw_footers(Layout *lo)
{
	int			count = list_length(lo->pages);
	int			n = 0;
	ListCell   *lc;

	foreach(lc, lo->pages)
	{
		char	   *page_of = psprintf("Page %d of %d", ++n, count);
		float		page_of_width = text_width(lo->regular, 7.5f, page_of, strlen(page_of));

		lo->page = lfirst(lc);
		draw_rule(lo, RULE, 0.5f, LEFT_EDGE, RIGHT_EDGE, FOOTER_BASELINE + 11);
		draw_text(lo, lo->regular, 7.5f, MUTED, RIGHT_EDGE, FOOTER_BASELINE, page_of, ALIGN_RIGHT);
		draw_text(lo, lo->regular, 7.5f, MUTED, LEFT_EDGE, FOOTER_BASELINE,
				  linitial(wrap_text(lo->regular, 7.5f, CONTENT_WIDTH - page_of_width - 20, lo->doc->footer, 1)),
				  ALIGN_LEFT);
	}
}

/* The finished PDF, read out of libharu's memory stream into a bytea in cxt. */
static bytea *
pdf_bytes(HPDF_Doc pdf, const HpdfStatus *status, MemoryContext cxt)
{
	HPDF_UINT32 size;
	HPDF_UINT32 got;
	bytea	   *result;

	HPDF_SaveToStream(pdf);
	hpdf_check(status);
	size = HPDF_GetStreamSize(pdf);
	if ((Size) size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("PDF of %u bytes is too large", size)));
	result = MemoryContextAlloc(cxt, VARHDRSZ + size);
	got = size;
	HPDF_ReadFromStream(pdf, (HPDF_BYTE *) VARDATA(result), &got);
	hpdf_check(status);
	if (got != size)
		elog(ERROR, "PDF stream gave %u of %u bytes", got, size);
	SET_VARSIZE(result, VARHDRSZ + size);
	return result;
}

/* Lay doc out and return the PDF, allocated in result_cxt. */
bytea *
render_pdf(const Doc *doc, MemoryContext result_cxt)
{
	const char *const fonts[2] = {FONT_REGULAR, FONT_BOLD};
	HpdfStatus	status = {HPDF_OK, 0};
	HPDF_Doc	pdf;
	bytea	   *volatile result = NULL;

	/* libharu opens the fonts itself; its error number would say less than this */
	for (int i = 0; i < 2; i++)
		if (access(fonts[i], R_OK) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read font file \"%s\": %m", fonts[i]),
					 errhint("Install the Debian package fonts-dejavu-core.")));

	pdf = HPDF_New(hpdf_error, &status);
	if (pdf == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("libharu could not allocate a PDF document.")));
	PG_TRY();
	{
		Layout		lo = {0};
		ListCell   *lc;

		lo.pdf = pdf;
		lo.status = &status;
		lo.doc = doc;
		HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
		HPDF_UseUTFEncodings(pdf);
		HPDF_SetCurrentEncoder(pdf, "UTF-8");
		lo.regular = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, FONT_REGULAR, HPDF_TRUE), "UTF-8");
		hpdf_check(&status);
		lo.bold = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, FONT_BOLD, HPDF_TRUE), "UTF-8");
		hpdf_check(&status);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, doc->pdf_title);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, doc->pdf_subject);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, doc->supplier_name);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "invoice (PostgreSQL extension)");

		new_page(&lo);
		foreach(lc, doc->blocks)
		{
			DocBlock   *b = lfirst(lc);
			ListCell   *next = lnext(doc->blocks, lc);

			switch (b->kind)
			{
				case BLOCK_TABLE:
					draw_table(&lo, b->table,
							   next && ((DocBlock *) lfirst(next))->kind == BLOCK_TOTALS
							   ? totals_height(&lo, lfirst(next)) : 0);
					break;
				case BLOCK_TOTALS:
					draw_totals(&lo, b);
					break;
				case BLOCK_NOTE:
					draw_note(&lo, b->text);
					break;
				case BLOCK_EINVOICE:
					draw_einvoice(&lo, b->text, b->qr);
					break;
			}
			hpdf_check(&status);
		}
		draw_footers(&lo);
		hpdf_check(&status);
		result = pdf_bytes(pdf, &status, result_cxt);
	}
	PG_FINALLY();
	{
		HPDF_Free(pdf);
	}
	PG_END_TRY();
	return result;
}
