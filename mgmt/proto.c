/* SPDX-License-Identifier: MIT */
/* Management protocol framing: CRC, streaming parser, header writer, body split. */
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/mgmt_proto.h>

/* CRC-32 four bits at a time: a 16-entry table of the reflected polynomial. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t mgmt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void mgmt_parser_reset(struct mgmt_parser *p)
{
	p->hlen = 0;
	p->blen = 0;
	p->id = 0;
}

bool mgmt_parser_partial(const struct mgmt_parser *p)
{
	return p->hlen > 0;
}

/* The header is complete: check it. MGMT_P_MORE when a body follows. */
static int header_done(struct mgmt_parser *p)
{
	p->type = p->hdr[3];
	p->id = get_le32(p->hdr + 4);
	p->len = get_le32(p->hdr + 8);
	p->crc = get_le32(p->hdr + 12);
	p->blen = 0; /* the previous frame's body is gone now */
	if (p->hdr[2] != MGMT_VERSION)
		return MGMT_P_EVERSION;
	if (p->type < MGMT_REQUEST || p->type > MGMT_EVENT)
		return MGMT_P_ETYPE;
	if (p->len > MGMT_BODY_MAX)
		return MGMT_P_ETOOBIG;
	return MGMT_P_MORE;
}

static int body_done(struct mgmt_parser *p)
{
	uint32_t crc = mgmt_crc32(0, p->hdr, 12);

	crc = mgmt_crc32(crc, p->body, p->blen);
	return crc == p->crc ? MGMT_P_FRAME : MGMT_P_ECRC;
}

/* One header byte: hunting for the two magic bytes, then the rest. */
static int header_byte(struct mgmt_parser *p, uint8_t c)
{
	static const uint8_t magic[2] = { MGMT_MAGIC0, MGMT_MAGIC1 };

	if (p->hlen < 2 && c != magic[p->hlen]) {
		p->skipped += p->hlen + 1;
		p->hlen = c == magic[0]; /* "ZZM": the second Z may start it */
		p->skipped -= p->hlen;
		p->hdr[0] = c;
		return MGMT_P_MORE;
	}
	p->hdr[p->hlen++] = c;
	return p->hlen == MGMT_HDR_LEN ? header_done(p) : MGMT_P_MORE;
}

int mgmt_parse(struct mgmt_parser *p, const uint8_t *in, size_t len, size_t *used)
{
	size_t i = 0;
	int ret = MGMT_P_MORE;

	while (i < len && ret == MGMT_P_MORE) {
		if (p->hlen < MGMT_HDR_LEN) {
			ret = header_byte(p, in[i++]);
		} else {
			size_t n = p->len - p->blen;

			if (n > len - i)
				n = len - i;
			memcpy(p->body + p->blen, in + i, n);
			p->blen += (uint32_t)n;
			i += n;
		}
		if (ret == MGMT_P_MORE && p->hlen == MGMT_HDR_LEN && p->blen == p->len)
			ret = body_done(p);
	}
	*used = i;
	if (ret != MGMT_P_MORE) {
		p->hlen = 0; /* the next call starts hunting; body/id stay readable */
		if (ret != MGMT_P_FRAME)
			p->blen = 0;
	}
	return ret;
}

void mgmt_frame_header(uint8_t hdr[MGMT_HDR_LEN], enum mgmt_type type, uint32_t id,
		       const void *body, uint32_t len)
{
	hdr[0] = MGMT_MAGIC0;
	hdr[1] = MGMT_MAGIC1;
	hdr[2] = MGMT_VERSION;
	hdr[3] = (uint8_t)type;
	put_le32(hdr + 4, id);
	put_le32(hdr + 8, len);
	put_le32(hdr + 12, mgmt_crc32(mgmt_crc32(0, hdr, 12), body, len));
}

int mgmt_body_split(const uint8_t *body, uint32_t len, char *line, const uint8_t **data,
		    uint32_t *dlen, char *err, size_t errlen)
{
	const uint8_t *nul = memchr(body, 0, len);
	uint32_t llen = nul ? (uint32_t)(nul - body) : len;

	if (llen == 0)
		return errmsg(err, errlen, "empty request");
	if (llen > MGMT_LINE_MAX)
		return errmsg(err, errlen, "request line longer than %d bytes", MGMT_LINE_MAX);
	for (uint32_t i = 0; i < llen; i++)
		if ((body[i] < 0x20 && body[i] != '\t') || body[i] == 0x7f)
			return errmsg(err, errlen, "control character 0x%02x in the request line",
				      body[i]);
	memcpy(line, body, llen);
	line[llen] = '\0';
	*data = nul ? nul + 1 : body + len;
	*dlen = nul ? len - llen - 1 : 0;
	return 0;
}

const char *mgmt_parse_strerror(int result)
{
	switch (result) {
	case MGMT_P_EVERSION:
		return "unsupported protocol version";
	case MGMT_P_ETYPE:
		return "unknown frame type";
	case MGMT_P_ETOOBIG:
		return "frame longer than the maximum";
	case MGMT_P_ECRC:
		return "bad checksum";
	default:
		return "no error";
	}
}
