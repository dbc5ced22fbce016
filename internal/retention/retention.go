// Package retention maps a log retention in days, as configuration states it,
// to the CloudWatch Logs retention the CDK takes, and rejects any other value.
package retention

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/project-1/project-1/internal/validate"
)

var periods = []struct {
	days int
	enum awslogs.RetentionDays
}{
	{1, awslogs.RetentionDays_ONE_DAY},
	{3, awslogs.RetentionDays_THREE_DAYS},
	{5, awslogs.RetentionDays_FIVE_DAYS},
	{7, awslogs.RetentionDays_ONE_WEEK},
	{14, awslogs.RetentionDays_TWO_WEEKS},
	{30, awslogs.RetentionDays_ONE_MONTH},
	{60, awslogs.RetentionDays_TWO_MONTHS},
	{90, awslogs.RetentionDays_THREE_MONTHS},
	{120, awslogs.RetentionDays_FOUR_MONTHS},
	{150, awslogs.RetentionDays_FIVE_MONTHS},
	{180, awslogs.RetentionDays_SIX_MONTHS},
	{365, awslogs.RetentionDays_ONE_YEAR},
	{400, awslogs.RetentionDays_THIRTEEN_MONTHS},
	{545, awslogs.RetentionDays_EIGHTEEN_MONTHS},
	{731, awslogs.RetentionDays_TWO_YEARS},
	{1096, awslogs.RetentionDays_THREE_YEARS},
	{1827, awslogs.RetentionDays_FIVE_YEARS},
	{2192, awslogs.RetentionDays_SIX_YEARS},
	{2557, awslogs.RetentionDays_SEVEN_YEARS},
	{2922, awslogs.RetentionDays_EIGHT_YEARS},
	{3288, awslogs.RetentionDays_NINE_YEARS},
	{3653, awslogs.RetentionDays_TEN_YEARS},
}

// Of returns the CloudWatch Logs retention of days, or an error listing the
// values CloudWatch Logs accepts.
func Of(days int) (awslogs.RetentionDays, error) {
	if err := validate.Retention(days); err != nil {
		return "", err
	}
	for _, p := range periods {
		if p.days == days {
			return p.enum, nil
		}
	}
	return "", fmt.Errorf("%d days: validate.RetentionDays accepts it, but it has no CDK retention here", days)
}
