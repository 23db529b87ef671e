package facenet

import (
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

func TestDescriptorRefusesBadChips(t *testing.T) {
	net := testNet(t)
	short := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	short.Pix = short.Pix[:len(short.Pix)-1]
	narrow := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	narrow.Stride = 4*ChipSize - 4
	tests := []struct {
		name string
		net  *Net
		chip *image.RGBA
	}{
		{"nil chip", net, nil},
		{"empty", net, &image.RGBA{}},
		{"149x150", net, image.NewRGBA(image.Rect(0, 0, 149, 150))},
		{"150x151", net, image.NewRGBA(image.Rect(0, 0, 150, 151))},
		{"300x300", net, image.NewRGBA(image.Rect(0, 0, 300, 300))},
		{"pixels shorter than bounds", net, short},
		{"stride shorter than a row", net, narrow},
		{"nil net", nil, image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))},
		{"zero net", &Net{}, image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.net.Descriptor(tt.chip)
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonChip {
				t.Fatalf("err = %v, want reason %s", err, ReasonChip)
			}
		})
	}
}

// TestDescriptorOddInputs: extreme but valid chips give finite descriptors,
// alpha is ignored, and a chip that is a SubImage (non-zero origin, shared stride) gives the
// same descriptor as a copy of it.
func TestDescriptorOddInputs(t *testing.T) {
	net := testNet(t)
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(f func(i int) uint8) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
		for i := range img.Pix {
			img.Pix[i] = f(i)
		}
		return img
	}
	tests := []struct {
		name string
		chip *image.RGBA
	}{
		{"black", fill(func(int) uint8 { return 0 })},
		{"white", fill(func(int) uint8 { return 255 })},
		{"noise", fill(func(int) uint8 { return uint8(rng.IntN(256)) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := net.Descriptor(tt.chip)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range d {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("d[%d] = %v", i, v)
				}
			}
		})
	}

	// Alpha is ignored: a fully transparent copy of a chip describes the same face.
	transparent := readChip(t, "penny_1.png")
	for i := 3; i < len(transparent.Pix); i += 4 {
		transparent.Pix[i] = 0
	}
	if d, err := net.Descriptor(transparent); err != nil || d != chipDescriptor(t, "penny_1.png") {
		t.Fatalf("transparent chip: descriptor differs (err %v)", err)
	}

	chip := readChip(t, "howard_2.png")
	want := chipDescriptor(t, "howard_2.png")
	big := image.NewRGBA(image.Rect(-20, -10, 200, 190))
	for y := range ChipSize {
		for x := range ChipSize {
			copy(big.Pix[big.PixOffset(7+x, 13+y):][:4], chip.Pix[chip.PixOffset(x, y):][:4])
		}
	}
	sub := big.SubImage(image.Rect(7, 13, 7+ChipSize, 13+ChipSize)).(*image.RGBA)
	got, err := net.Descriptor(sub)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("SubImage chip gives a different descriptor (distance %v)", Distance(got, want))
	}
}

// TestDescriptorConcurrent: concurrent calls share weights and the scratch
// pool without interfering (run with -race).
func TestDescriptorConcurrent(t *testing.T) {
	net := testNet(t)
	names := []string{"amy_1.png", "group_raj.png", "sheldon_3.png"}
	var wg sync.WaitGroup
	got := make([][Dimensions]float32, len(names))
	errs := make([]error, len(names))
	for i, n := range names {
		chip := readChip(t, n)
		wg.Go(func() { got[i], errs[i] = net.Descriptor(chip) })
	}
	wg.Wait()
	for i, n := range names {
		if errs[i] != nil || got[i] != chipDescriptor(t, n) {
			t.Errorf("%s: concurrent descriptor differs (err %v)", n, errs[i])
		}
	}
}

func TestDistance(t *testing.T) {
	var a, b [Dimensions]float32
	a[0], b[0] = 3, 0
	a[127], b[127] = 0, 4
	tests := []struct {
		a, b [Dimensions]float32
		want float32
	}{
		{a, a, 0},
		{a, b, 5},
		{b, a, 5},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance = %v, want %v", got, tt.want)
		}
	}
}
