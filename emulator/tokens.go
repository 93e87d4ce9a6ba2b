package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultJWTSecret signs the emulator's SimpleJWT-style tokens. It is a test
// value, not a secret: the emulator's profile carries tokens signed with it.
const DefaultJWTSecret = "chconform-emulator-jwt-key-not-a-secret"

// Token lifetimes as SimpleJWT's defaults and the 2021 capture show them.
const (
	accessLifetime = 5 * time.Minute
	// refresh tokens live ~1000 years (the capture shows exp in the year ~3020)
	refreshYears = 1000
)

// tokenClaims are SimpleJWT's claims, in its order: token_type, exp, jti,
// user_id.
type tokenClaims struct {
	TokenType string `json:"token_type"`
	jwt.RegisteredClaims
	UserID int64 `json:"user_id"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// MintToken signs a token of tokenType ("access" or "refresh") for userID
// that expires at exp, with jti (32 hex; random when empty).
func MintToken(secret []byte, tokenType string, userID int64, exp time.Time, jti string) (string, error) {
	if jti == "" {
		jti = randomHex(16)
	}
	claims := tokenClaims{TokenType: tokenType, UserID: userID,
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp), ID: jti}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

var errBadToken = errors.New("token is invalid or expired")

// parseToken verifies a token of the wanted type and returns its user id.
func parseToken(secret []byte, raw, wantType string, now time.Time) (int64, error) {
	var claims tokenClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || claims.TokenType != wantType || claims.UserID == 0 {
		return 0, errBadToken
	}
	return claims.UserID, nil
}
