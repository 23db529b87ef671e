package browser

import (
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// FakeCamera is a Start option: pages get Chromium's fake camera and
// microphone, and permission prompts are answered yes. With video (a Y4M
// file) the camera plays it; without, Chromium's built-in test pattern.
func FakeCamera(video string) chromedp.ExecAllocatorOption {
	return func(a *chromedp.ExecAllocator) {
		chromedp.Flag("use-fake-ui-for-media-stream", true)(a)
		chromedp.Flag("use-fake-device-for-media-stream", true)(a)
		if video != "" {
			chromedp.Flag("use-file-for-fake-video-capture", video)(a)
		}
	}
}

// AddPlatformAuthenticator gives the tab a virtual platform authenticator
// through the DevTools WebAuthn domain: CTAP2 over the internal transport,
// with resident keys, user verification that succeeds and presence
// simulated.
func (tab *Tab) AddPlatformAuthenticator() webauthn.AuthenticatorID {
	tab.t.Helper()
	if _, err := chromedp.Call(tab.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		tab.t.Fatalf("%s: WebAuthn.enable: %v", tab.name, err)
	}
	res, err := chromedp.Call(tab.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		tab.t.Fatalf("%s: WebAuthn.addVirtualAuthenticator: %v", tab.name, err)
	}
	return res.AuthenticatorID
}
