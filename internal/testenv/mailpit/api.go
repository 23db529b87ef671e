package mailpit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Address is a mailbox as mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is one entry of the message list.
type Summary struct {
	ID      string
	From    *Address
	To      []Address
	Subject string
	Created time.Time
	Snippet string
}

// Message is one stored message, decoded.
type Message struct {
	ID      string
	From    *Address
	To      []Address
	Cc      []Address
	Bcc     []Address
	Subject string
	Date    time.Time
	Text    string
	HTML    string
}

// ErrNoMessage is returned by LatestMessage when nothing arrives in time.
var ErrNoMessage = errors.New("mailpit: no message for that recipient")

// Messages lists the stored messages, newest first.
func (s *Server) Messages() ([]Summary, error) {
	var list struct {
		Messages []Summary `json:"messages"`
	}
	if err := s.getJSON("/api/v1/messages?limit=500", &list); err != nil {
		return nil, err
	}
	return list.Messages, nil
}

// Message fetches one message by its mailpit ID.
func (s *Server) Message(id string) (*Message, error) {
	var m Message
	if err := s.getJSON("/api/v1/message/"+url.PathEscape(id), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Headers fetches the raw headers of one message, as received.
func (s *Server) Headers(id string) (map[string][]string, error) {
	h := map[string][]string{}
	if err := s.getJSON("/api/v1/message/"+url.PathEscape(id)+"/headers", &h); err != nil {
		return nil, err
	}
	return h, nil
}

// LatestMessage returns the newest message addressed to to (compared
// without regard to case), waiting up to s.MessageWait for one to arrive.
func (s *Server) LatestMessage(to string) (*Message, error) {
	deadline := time.Now().Add(s.MessageWait)
	for {
		list, err := s.Messages()
		if err != nil {
			return nil, err
		}
		for _, sum := range list {
			for _, a := range sum.To {
				if strings.EqualFold(a.Address, to) {
					return s.Message(sum.ID)
				}
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w %q after %v", ErrNoMessage, to, s.MessageWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) getJSON(path string, v any) error {
	resp, err := s.http.Get(s.APIURL + path)
	if err != nil {
		return fmt.Errorf("mailpit: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("mailpit: GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit: GET %s: %s: %.200s", path, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("mailpit: GET %s: %w", path, err)
	}
	return nil
}
