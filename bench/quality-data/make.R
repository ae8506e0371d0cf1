#!/usr/bin/env Rscript
# Regenerates the labelled CSVs of bench/quality-data (issue #12, part 3) from Debian's R packages:
#   apt-get install -y r-base-core r-cran-mlbench r-cran-robustbase r-cran-rrcov
#   cd bench/quality-data && Rscript make.R
# Each file: a header, the features, and one column `label` = "anomaly" | "normal"; ids dropped, missing values as
# empty fields. Subsamples use set.seed(12) with R's default generators (fixed below), so given the same package
# versions the files come out byte-identical. The conventions and their references are in README.md.
suppressPackageStartupMessages({ library(mlbench); library(robustbase); library(rrcov) })
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
out <- function(df, anomaly, name) {
  df$label <- ifelse(anomaly, "anomaly", "normal")
  rownames(df) <- NULL
  write.csv(df, paste0(name, ".csv"), row.names = FALSE, na = "")
  cat(sprintf("%-14s %6d rows %4d features %5d anomalies (%.1f%%)\n", name, nrow(df), ncol(df) - 1, sum(anomaly), 100 * mean(anomaly)))
}
# Keeps every normal row and a seeded sample of `k` anomaly rows, in the original row order.
downsample <- function(df, anomaly, k) {
  set.seed(12)
  keep <- sort(c(which(!anomaly), sample(which(anomaly), k)))
  list(df = df[keep, , drop = FALSE], anomaly = anomaly[keep])
}
# k anomalies so that they are `rate` of the rows kept.
k_for <- function(normals, rate) round(rate * normals / (1 - rate))

# --- mlbench (UCI data) -------------------------------------------------------------------------------------------
data(Sonar); a <- Sonar$Class == "R"                       # minority class (rocks, 97 of 208) as anomaly, down to 10%
s <- downsample(Sonar[, names(Sonar) != "Class"], a, k_for(sum(!a), 0.10)); out(s$df, s$anomaly, "sonar")

data(Soybean)                                              # the four classes with fewer than 20 rows as anomalies
small <- names(which(table(Soybean$Class) < 20))
out(Soybean[, names(Soybean) != "Class"], Soybean$Class %in% small, "soybean")

data(Zoo)                                                  # the two smallest types (reptile 5, amphibian 4) as anomalies
out(Zoo[, names(Zoo) != "type"], Zoo$type %in% c("reptile", "amphibian"), "zoo")

data(DNA)                                                  # normal: class n (no boundary); anomaly: ei boundaries, down to 10%
d <- DNA[DNA$Class != "ie", ]; a <- d$Class == "ei"
s <- downsample(d[, names(d) != "Class"], a, k_for(sum(!a), 0.10)); out(s$df, s$anomaly, "dna")

data(HouseVotes84)                                         # normal: democrats; anomaly: republicans, down to 10%
a <- HouseVotes84$Class == "republican"
s <- downsample(HouseVotes84[, names(HouseVotes84) != "Class"], a, k_for(sum(!a), 0.10)); out(s$df, s$anomaly, "housevotes84")

data(BreastCancer)                                         # ODDS "breastw": complete rows, malignant as anomaly (35%)
b <- BreastCancer[complete.cases(BreastCancer), ]
f <- b[, !(names(b) %in% c("Id", "Class"))]; f[] <- lapply(f, function(x) as.integer(as.character(x)))
out(f, b$Class == "malignant", "breastw")

data(Vehicle)                                              # normal: bus, opel, saab; anomaly: van, down to 10%
a <- Vehicle$Class == "van"
s <- downsample(Vehicle[, names(Vehicle) != "Class"], a, k_for(sum(!a), 0.10)); out(s$df, s$anomaly, "vehicle")

data(Satellite)                                            # ODDS "satimage-2": class 2 (cotton crop) down to 71 rows
a <- Satellite$classes == "cotton crop"
s <- downsample(Satellite[, names(Satellite) != "classes"], a, 71); out(s$df, s$anomaly, "satimage2")

data(Shuttle)                                              # ODDS "shuttle": class 1 normal, class 4 (High) dropped, 2,3,5,6,7 anomalies
d <- Shuttle[Shuttle$Class != "High", ]
out(d[, names(d) != "Class"], d$Class != "Rad.Flow", "shuttle")

# --- robustbase / rrcov: classic outlier data, outliers as documented --------------------------------------------
data(hbk); out(hbk, seq_len(nrow(hbk)) <= 14, "hbk")                         # ?hbk: the first 14 are outliers
data(wood); out(wood, seq_len(nrow(wood)) %in% c(4, 6, 8, 19), "wood")       # Rousseeuw & Leroy (1987): 4, 6, 8, 19
data(starsCYG); out(starsCYG, seq_len(nrow(starsCYG)) %in% c(11, 20, 30, 34), "starscyg")  # ?starsCYG: the 4 giants
data(bushfire); out(bushfire, seq_len(nrow(bushfire)) %in% c(7:11, 32:38), "bushfire")     # Maronna & Yohai (1995)
data(radarImage)                                           # ?radarImage: the 8 "clear" outliers
out(radarImage, seq_len(nrow(radarImage)) %in% c(1548:1549, 1553:1554, 1565:1566, 1570:1571), "radarimage")
data(octane, package = "rrcov")                            # ?octane: samples 25, 26, 36-39 contain added alcohol; y dropped
out(octane[, names(octane) != "y"], seq_len(nrow(octane)) %in% c(25, 26, 36:39), "octane")
