// Command otelcol-otelkit is otelkit's OpenTelemetry Collector distribution: the components that
// otel-collector/otelcol.yaml and gateway.yaml use (plus file and debug exporters for tests),
// all from one collector release. Version must match the collector modules in go.mod.
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"
)

// version is the collector release every contrib and core component module is pinned at
// (scripts read this line); stableVersion is that release's number for the stable core modules.
const version = "0.161.0"

const stableVersion = "1.67.0"

func main() {
	providers := []confmap.ProviderFactory{
		envprovider.NewFactory(),
		fileprovider.NewFactory(),
		yamlprovider.NewFactory(),
	}
	modules := map[string]string{}
	for _, p := range providers {
		scheme := p.Create(confmap.ProviderSettings{}).Scheme()
		modules[scheme] = "go.opentelemetry.io/collector/confmap/provider/" + scheme + "provider v" + stableVersion
	}

	settings := otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{
			Command:     "otelcol-otelkit",
			Description: "otelkit OpenTelemetry Collector distribution",
			Version:     version,
		},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{ProviderFactories: providers},
		},
		ProviderModules: modules,
	}

	// cobra has already printed the error.
	if err := otelcol.NewCommand(settings).Execute(); err != nil {
		os.Exit(1)
	}
}
