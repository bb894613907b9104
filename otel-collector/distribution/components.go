// Component factories of the otelcol-otelkit distribution, with the Go module each comes from
// (shown by `otelcol-otelkit components`). Keep in step with go.mod and the collector configs.
package main

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/memorylimiterprocessor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/loadbalancingexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
)

const (
	core    = "go.opentelemetry.io/collector/"
	contrib = "github.com/open-telemetry/opentelemetry-collector-contrib/"
)

// entry pairs a factory with the module that provides it.
type entry[F component.Factory] struct {
	factory F
	module  string
}

// register builds the factory map and the type -> module map of one component kind.
func register[F component.Factory](entries ...entry[F]) (map[component.Type]F, map[component.Type]string, error) {
	factories := make([]F, 0, len(entries))
	modules := make(map[component.Type]string, len(entries))
	for _, e := range entries {
		factories = append(factories, e.factory)
		modules[e.factory.Type()] = e.module + " v" + version
	}
	m, err := otelcol.MakeFactoryMap(factories...)
	return m, modules, err
}

func components() (otelcol.Factories, error) {
	f := otelcol.Factories{Telemetry: otelconftelemetry.NewFactory()}
	var err error

	if f.Receivers, f.ReceiverModules, err = register(
		entry[receiver.Factory]{otlpreceiver.NewFactory(), core + "receiver/otlpreceiver"},
	); err != nil {
		return otelcol.Factories{}, err
	}

	if f.Processors, f.ProcessorModules, err = register(
		entry[processor.Factory]{memorylimiterprocessor.NewFactory(), core + "processor/memorylimiterprocessor"},
		entry[processor.Factory]{resourceprocessor.NewFactory(), contrib + "processor/resourceprocessor"},
		entry[processor.Factory]{tailsamplingprocessor.NewFactory(), contrib + "processor/tailsamplingprocessor"},
	); err != nil {
		return otelcol.Factories{}, err
	}

	if f.Exporters, f.ExporterModules, err = register(
		entry[exporter.Factory]{otlpexporter.NewFactory(), core + "exporter/otlpexporter"},
		entry[exporter.Factory]{otlphttpexporter.NewFactory(), core + "exporter/otlphttpexporter"},
		entry[exporter.Factory]{debugexporter.NewFactory(), core + "exporter/debugexporter"},
		entry[exporter.Factory]{loadbalancingexporter.NewFactory(), contrib + "exporter/loadbalancingexporter"},
		entry[exporter.Factory]{prometheusexporter.NewFactory(), contrib + "exporter/prometheusexporter"},
		entry[exporter.Factory]{fileexporter.NewFactory(), contrib + "exporter/fileexporter"},
	); err != nil {
		return otelcol.Factories{}, err
	}

	if f.Connectors, f.ConnectorModules, err = register(
		entry[connector.Factory]{spanmetricsconnector.NewFactory(), contrib + "connector/spanmetricsconnector"},
	); err != nil {
		return otelcol.Factories{}, err
	}

	if f.Extensions, f.ExtensionModules, err = register(
		entry[extension.Factory]{healthcheckextension.NewFactory(), contrib + "extension/healthcheckextension"},
		entry[extension.Factory]{filestorage.NewFactory(), contrib + "extension/storage/filestorage"},
	); err != nil {
		return otelcol.Factories{}, err
	}

	return f, nil
}
