package harness

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	speakeasy "github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// LoadContract reads the contract every verb judges with: the file at
// specPath (embedded, api.yaml as committed, when specPath is ""), with the
// OpenAPI Overlay at overlayPath applied first when one is named. run, audit
// and proxy all come through here, so a suite, a check and an audit see the
// same overlaid contract. A problem is a *ConfigError naming CH_SPEC or
// CH_OVERLAY (the --spec and --overlay flags set them).
func LoadContract(embedded []byte, specPath, overlayPath string) (*Spec, error) {
	name, data := "api.yaml (embedded)", embedded
	if specPath != "" {
		var err error
		if data, err = os.ReadFile(specPath); err != nil {
			return nil, &ConfigError{Var: "CH_SPEC", Value: specPath, Problem: "cannot read the contract: " + err.Error()}
		}
		name = specPath
	}
	if overlayPath != "" {
		raw, err := os.ReadFile(overlayPath)
		if err != nil {
			return nil, &ConfigError{Var: "CH_OVERLAY", Value: overlayPath, Problem: "cannot read the overlay: " + err.Error()}
		}
		patched, err := ApplyOverlay(data, raw)
		if err != nil {
			return nil, &ConfigError{Var: "CH_OVERLAY", Value: overlayPath, Problem: err.Error()}
		}
		spec, err := LoadSpec(name+" + overlay "+overlayPath, patched)
		if err != nil {
			if _, alone := LoadSpec(name, data); alone != nil {
				// Refused before the patch too: CH_SPEC's problem, which
				// the overlay did not mend and must not be blamed for.
				return nil, &ConfigError{Var: "CH_SPEC", Value: name, Problem: alone.Error()}
			}
			return nil, &ConfigError{Var: "CH_OVERLAY", Value: overlayPath, Problem: "the overlaid contract is refused: " + err.Error()}
		}
		return spec, nil
	}
	spec, err := LoadSpec(name, data)
	if err != nil {
		return nil, &ConfigError{Var: "CH_SPEC", Value: name, Problem: err.Error()}
	}
	return spec, nil
}

// ApplyOverlay applies an OpenAPI Overlay (1.0 or 1.1) to a contract and
// returns the patched contract as YAML. It is strict: an overlay that is not
// a valid Overlay document, or an action whose target selects nothing, is an
// error, since a patch that silently does nothing would let a run judge with
// a contract its author did not mean.
func ApplyOverlay(contract, overlayDoc []byte) ([]byte, error) {
	o, err := speakeasy.ParseReader(bytes.NewReader(overlayDoc))
	if err != nil {
		return nil, fmt.Errorf("not an OpenAPI Overlay document: %w", err)
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("not a valid OpenAPI Overlay document: %s", oneLineError(err))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(contract, &root); err != nil {
		return nil, fmt.Errorf("the contract is not YAML: %w", err)
	}
	if _, err := o.ApplyToStrict(&root); err != nil {
		return nil, fmt.Errorf("the overlay does not apply: %s", oneLineError(err))
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("the overlaid contract cannot be written: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func oneLineError(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
