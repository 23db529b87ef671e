package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Client calls the admin API: the CLI and the benchmarks use it.
type Client struct {
	Base  string // the gateway's public URL
	Token string
	// Actor names the operator in audit records (X-Vigil-Admin); a label,
	// never an authorization.
	Actor string
	HTTP  *http.Client
}

// Call sends body (nil for none) as JSON to path under BasePath and
// decodes the JSON answer into out. A refusal comes back as an error with
// the API's own description and code, and its reasons one a line.
func (c *Client) Call(ctx context.Context, method, path string, body, out any) error {
	if body == nil {
		return c.Send(ctx, method, path, "", nil, out)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.Send(ctx, method, path, "application/json", b, out)
}

// Send is Call with a body already encoded as contentType (a YAML
// configuration document, for one).
func (c *Client) Send(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+BasePath+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if c.Actor != "" {
		req.Header.Set("X-Vigil-Admin", c.Actor)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("calling the admin API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("reading the admin API's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string   `json:"error"`
			Description string   `json:"error_description"`
			Reasons     []string `json:"reasons"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			msg := fmt.Sprintf("%s (%s, HTTP %d)", e.Description, e.Error, resp.StatusCode)
			for _, r := range e.Reasons {
				msg += "\n  " + r
			}
			return errors.New(msg)
		}
		return fmt.Errorf("admin API answered HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(data, out)
}
