package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const cpuMetric = "process_cpu_seconds_total"

// scrapeCPU reads the gateway's CPU seconds from its Prometheus endpoint.
func (r *run) scrapeCPU(ctx context.Context) (float64, error) {
	return scrapeCPUWith(ctx, r.client, r.o.MetricsURL)
}

// gatewayCPU is scrapeCPU for a run without an HTTP client of its own.
func gatewayCPU(ctx context.Context, url string) (float64, error) {
	if url == "" {
		return 0, errors.New("metrics: no URL")
	}
	return scrapeCPUWith(ctx, http.DefaultClient, url)
}

func scrapeCPUWith(ctx context.Context, client *http.Client, url string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parseCPU(io.LimitReader(resp.Body, 16<<20))
}

// parseCPU finds process_cpu_seconds_total in the Prometheus text format.
func parseCPU(rd io.Reader) (float64, error) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, cpuMetric)
		// The name must end here: a space, or labels.
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		if rest[0] == '{' {
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				continue
			}
			rest = rest[end+1:]
		}
		fields := strings.Fields(rest) // value [timestamp]
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return 0, fmt.Errorf("metrics: %s: %w", cpuMetric, err)
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	return 0, errors.New("metrics: no " + cpuMetric)
}
