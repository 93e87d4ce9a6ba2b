package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaVersion is summary.json's format version (major.minor). Within a
// major version only additive changes are made; summary.schema.json says so
// and describes every field.
const SchemaVersion = "1.0"

// SummarySchema is the JSON Schema (draft 2020-12) of summary.json: the
// stable interface of everything built on chconform's verdicts.
//
//go:embed summary.schema.json
var SummarySchema []byte

const summarySchemaURL = "https://chconform.dev/schemas/summary/1.json"

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// ValidateSummary checks a summary.json document against SummarySchema.
func ValidateSummary(data []byte) error {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SummarySchema))
		if err != nil {
			schemaErr = fmt.Errorf("summary.schema.json: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource(summarySchemaURL, doc); err != nil {
			schemaErr = fmt.Errorf("summary.schema.json: %w", err)
			return
		}
		schema, schemaErr = c.Compile(summarySchemaURL)
	})
	if schemaErr != nil {
		return schemaErr
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return schema.Validate(inst)
}
