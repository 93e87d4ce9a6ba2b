package capture

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
)

// DecodeBody undoes the Content-Encoding of a body as decodeBody does, for a
// reader of live traffic (a proxy hands the client the encoded bytes and
// judges the decoded ones).
func DecodeBody(raw []byte, contentEncoding []string) ([]byte, error) {
	return decodeBody(raw, contentEncoding)
}

// decodeBody undoes the Content-Encoding of a captured body (the header's
// values, codings applied in order, undone last first). Tools often store the
// decoded text and keep the header: bytes that do not decompress but are
// already UTF-8 text are kept as they are. It fails when the bytes are
// neither, or when they decompress to more than MaxDecodedBytes.
func decodeBody(raw []byte, contentEncoding []string) ([]byte, error) {
	var codings []string
	for _, v := range contentEncoding {
		for _, c := range strings.Split(v, ",") {
			c = strings.ToLower(strings.TrimSpace(c))
			if c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 || len(raw) == 0 {
		return raw, nil
	}
	body := raw
	for i := len(codings) - 1; i >= 0; i-- {
		out, err := decompress(codings[i], body)
		if errors.Is(err, errBomb) {
			return nil, err
		}
		if err != nil {
			if utf8.Valid(raw) {
				return raw, nil // stored decoded, header kept
			}
			return nil, fmt.Errorf("Content-Encoding %s, but the body is neither %s nor text: %v", strings.Join(codings, ", "), codings[i], err)
		}
		body = out
	}
	// Brotli has no magic number: text that happened to decode is still the
	// text the tool stored.
	if utf8.Valid(raw) && !utf8.Valid(body) {
		return raw, nil
	}
	return body, nil
}

var errBomb = errors.New("decompressed body")

func decompress(coding string, b []byte) ([]byte, error) {
	var r io.Reader
	switch coding {
	case "gzip", "x-gzip":
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			return nil, errors.New("no gzip header")
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		// RFC 9110's deflate is zlib; some servers send raw deflate.
		if len(b) >= 2 && b[0]&0x0f == 8 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0 {
			zr, err := zlib.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(b))
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	default:
		return nil, fmt.Errorf("the coding %s is not supported", coding)
	}
	out, err := io.ReadAll(io.LimitReader(r, MaxDecodedBytes+1))
	if int64(len(out)) > MaxDecodedBytes {
		return nil, fmt.Errorf("%w larger than %s", errBomb, sizeString(MaxDecodedBytes))
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}
