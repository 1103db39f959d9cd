// SVGPlot: SVG figures.
