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
	_, data, err := c.do(ctx, method, path, "application/json", contentType, body)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// Fetch GETs a raw answer (an evidence image) at most max bytes long and
// returns it with its content type; a refusal is an error as in Call.
func (c *Client) Fetch(ctx context.Context, path, accept string, max int64) (contentType string, data []byte, err error) {
	resp, data, err := c.doLimit(ctx, "GET", path, accept, "", nil, max)
	if err != nil {
		return "", nil, err
	}
	return resp.Header.Get("Content-Type"), data, nil
}

func (c *Client) do(ctx context.Context, method, path, accept, contentType string, body []byte) (*http.Response, []byte, error) {
	return c.doLimit(ctx, method, path, accept, contentType, body, 8<<20)
}

// doLimit sends one request and reads its answer; anything but 200 is an
// error carrying the API's own description and code.
func (c *Client) doLimit(ctx context.Context, method, path, accept, contentType string, body []byte, max int64) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+BasePath+path, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", accept)
	if c.Actor != "" {
		req.Header.Set("X-Vigil-Admin", c.Actor)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("calling the admin API: %w", err)
	}
	defer resp.Body.Close()
	// One byte more than allowed tells a cut answer from a whole one.
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the admin API's answer: %w", err)
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
			return nil, nil, errors.New(msg)
		}
		return nil, nil, fmt.Errorf("admin API answered HTTP %d", resp.StatusCode)
	}
	if int64(len(data)) > max {
		return nil, nil, fmt.Errorf("the admin API's answer is larger than %d bytes", max)
	}
	return resp, data, nil
}
