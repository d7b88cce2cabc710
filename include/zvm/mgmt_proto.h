/* SPDX-License-Identifier: MIT */
/*
 * The management protocol's framing (docs/management.md): every message is
 * a 16-byte header and a body.
 *
 *   0  'Z' 'M'     magic
 *   2  version     MGMT_VERSION
 *   3  type        MGMT_REQUEST, MGMT_REPLY or MGMT_EVENT
 *   4  id          u32 little-endian: a request's id, echoed by its reply
 *   8  length      u32 little-endian, body bytes, at most MGMT_BODY_MAX
 *  12  crc         u32 little-endian: CRC-32 (IEEE 802.3, as zlib) of
 *                  header bytes 0..11 followed by the body
 *
 * A request body is a command line (the shell's syntax, at most
 * MGMT_LINE_MAX bytes, no control characters), optionally followed by one
 * NUL and binary data (an image chunk). Replies and events are JSON.
 * Pure code, no kernel calls: the host unit tests fuzz it.
 */
#ifndef ZVM_MGMT_PROTO_H
#define ZVM_MGMT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MGMT_VERSION  1
#define MGMT_HDR_LEN  16
#define MGMT_BODY_MAX 8192
#define MGMT_LINE_MAX 512
#define MGMT_MAGIC0   'Z'
#define MGMT_MAGIC1   'M'

enum mgmt_type { MGMT_REQUEST = 1, MGMT_REPLY = 2, MGMT_EVENT = 3 };

/* What mgmt_parse() found. Errors leave the parser hunting for the next magic. */
enum mgmt_parse_result {
	MGMT_P_MORE = 0,      /* need more bytes */
	MGMT_P_FRAME = 1,     /* a whole, checked frame is in the parser */
	MGMT_P_EVERSION = -1, /* a version this zvm does not speak */
	MGMT_P_ETYPE = -2,    /* not a request/reply/event */
	MGMT_P_ETOOBIG = -3,  /* length above MGMT_BODY_MAX */
	MGMT_P_ECRC = -4,     /* checksum mismatch: header or body damaged */
};

/** A streaming frame parser; all state is in here (bounded: one frame). */
struct mgmt_parser {
	uint8_t hdr[MGMT_HDR_LEN];
	unsigned hlen; /* header bytes collected */
	uint8_t type;
	uint32_t id; /* valid once the header is complete */
	uint32_t len;
	uint32_t crc;
	uint32_t blen; /* body bytes collected */
	uint8_t body[MGMT_BODY_MAX];
	uint64_t skipped; /* bytes dropped while hunting for a magic */
};

/** CRC-32 (reflected 0xEDB88320, init and final xor 0xFFFFFFFF) continued from crc. */
uint32_t mgmt_crc32(uint32_t crc, const void *data, size_t len);

/** Start (or restart) a parser: hunting for a magic. */
void mgmt_parser_reset(struct mgmt_parser *p);

/**
 * Feed up to len bytes; *used says how many were taken. Stops at the first
 * complete frame (MGMT_P_FRAME: p->type, p->id, p->body, p->blen) or error
 * (p->id is the damaged frame's id when its header was complete, else 0);
 * call again with the rest.
 */
int mgmt_parse(struct mgmt_parser *p, const uint8_t *in, size_t len, size_t *used);

/** Is the parser in the middle of a frame (header or body started)? */
bool mgmt_parser_partial(const struct mgmt_parser *p);

/** Write the header of a frame with this body into hdr. */
void mgmt_frame_header(uint8_t hdr[MGMT_HDR_LEN], enum mgmt_type type, uint32_t id,
		       const void *body, uint32_t len);

/**
 * Split a request body into its command line (copied, NUL-terminated, into
 * line of MGMT_LINE_MAX + 1 bytes) and the binary data after the first NUL.
 * Returns 0, or K_EINVAL with a message in err: a line too long, empty, or with
 * control characters.
 */
int mgmt_body_split(const uint8_t *body, uint32_t len, char *line, const uint8_t **data,
		    uint32_t *dlen, char *err, size_t errlen);

/** A short message for a MGMT_P_E* result, e.g. "bad checksum". */
const char *mgmt_parse_strerror(int result);

#endif /* ZVM_MGMT_PROTO_H */
