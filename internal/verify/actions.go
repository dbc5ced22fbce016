package verify

// PricePerAnalysis is this project's figure for one Reachability Analyzer
// analysis, in USD, for the estimate printed before a run. AWS publishes the
// price on PricingPage; the figure was not read from a stored copy of that
// page here (the copies read for internal/cost do not show its Network
// Analysis tab), so the command prints the page beside the estimate and
// -price takes the current figure.
const PricePerAnalysis = 0.10

// PricingPage is where PricePerAnalysis is published.
const PricingPage = "https://aws.amazon.com/vpc/pricing/"
