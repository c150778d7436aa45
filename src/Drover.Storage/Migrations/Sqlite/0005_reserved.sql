-- Reserved: this number belongs to another change merged alongside job_reruns (0006). Replace this file with it.
SELECT 1;
